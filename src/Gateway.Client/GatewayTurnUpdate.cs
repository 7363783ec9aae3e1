namespace Gateway.Client;

/// <summary>One step of an agent turn (<see cref="GatewayTurnExtensions.AskAsync"/>): accepted, a text or reasoning delta, a tool call or result, a status note, and, last and once, the outcome.</summary>
public sealed class GatewayTurnUpdate
{
    internal GatewayTurnUpdate(GatewayTurnUpdateKind kind, string? text = null, GatewayEvent? @event = null, GatewayTurnToolCall? toolCall = null, GatewayTurnOutcome? outcome = null, string? turnId = null)
    {
        Kind = kind;
        Text = text;
        Event = @event;
        ToolCall = toolCall;
        Outcome = outcome;
        TurnId = turnId;
    }

    /// <summary>What this update carries.</summary>
    public GatewayTurnUpdateKind Kind { get; }

    /// <summary>
    /// The delta's text (<see cref="GatewayTurnUpdateKind.TextDelta"/>, <see cref="GatewayTurnUpdateKind.ReasoningDelta"/>); the
    /// whole answer on the <see cref="GatewayTurnUpdateKind.Final"/> update; the note on a status, acceptance or resumption.
    /// </summary>
    public string? Text { get; }

    /// <summary>The server event the update came from (its <see cref="GatewayEvent.Frame"/> has everything the server said); null when the client made the update up (an outcome after a loss, say).</summary>
    public GatewayEvent? Event { get; }

    /// <summary>The tool call (<see cref="GatewayTurnUpdateKind.ToolCall"/>, <see cref="GatewayTurnUpdateKind.ToolResult"/>).</summary>
    public GatewayTurnToolCall? ToolCall { get; }

    /// <summary>How the turn ended: on the <see cref="GatewayTurnUpdateKind.Final"/> update only, null on every other.</summary>
    public GatewayTurnOutcome? Outcome { get; }

    /// <summary>The turn's id where the dialect has one (OpenClaw's run id); null otherwise.</summary>
    public string? TurnId { get; }

    /// <inheritdoc/>
    public override string ToString() => Kind == GatewayTurnUpdateKind.Final ? $"final: {Outcome}" : $"{Kind}: {Text ?? ToolCall?.ToString()}";
}
