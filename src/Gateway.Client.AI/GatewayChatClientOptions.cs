using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.AI;

/// <summary>The settings of a <see cref="GatewayChatClient"/>; copied when the chat client is made.</summary>
public sealed class GatewayChatClientOptions
{
    /// <summary>
    /// The settings every turn starts from (bounds, <see cref="GatewayTurnOptions.NewSessionWhenStuck"/>, the buffer; on
    /// OpenClaw <see cref="GatewayTurnOptions.SessionKey"/> is the default conversation). Null: the defaults. Its
    /// <see cref="GatewayTurnOptions.IdempotencyKey"/> must stay null: each turn gets its own key. A call can give a turn
    /// its own settings through <see cref="ChatOptions.RawRepresentationFactory"/> returning a <see cref="GatewayTurnOptions"/>.
    /// </summary>
    public GatewayTurnOptions? TurnOptions { get; set; }

    /// <summary>
    /// What happens to a <see cref="ChatOptions"/> setting a gateway cannot honour that would change the answer
    /// (<see cref="ChatOptions.Tools"/>, a required <see cref="ChatOptions.ToolMode"/>, a JSON
    /// <see cref="ChatOptions.ResponseFormat"/>, a <see cref="ChatOptions.RawRepresentationFactory"/> that returns no
    /// <see cref="GatewayTurnOptions"/>) and to non-text content in the message sent: false (the default) throws
    /// <see cref="NotSupportedException"/> naming it; true ignores it and logs a warning. Hints the agent's own settings
    /// replace (<see cref="ChatOptions.ModelId"/>, <see cref="ChatOptions.Temperature"/>, ...) are always ignored and
    /// logged (the package README has the table).
    /// </summary>
    public bool IgnoreUnsupportedOptions { get; set; }

    /// <summary>Where the chat client logs what it did not send (a warning the first time per setting, then at debug). Null: no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The gateway's address for <see cref="ChatClientMetadata.ProviderUri"/> (an <see cref="IGatewayClient"/> does not tell it). Null: unknown.</summary>
    public Uri? ProviderUri { get; set; }
}
