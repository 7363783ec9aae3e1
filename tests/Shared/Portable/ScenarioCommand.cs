using System.Text.Json.Serialization;

namespace Gateway.Client.Portable;

/// <summary>
/// One thing a scenario asks of its gateway, in a shape that crosses HTTP as JSON: the action and its arguments.
/// </summary>
/// <param name="Action">What to do (the constants of <see cref="ScenarioActions"/>).</param>
/// <param name="SessionId">The session it concerns, where it concerns one.</param>
/// <param name="Labels">The events to publish, one message each.</param>
/// <param name="Number">A sequence number or a count, per action.</param>
/// <param name="Mode">A restart mode (the name of a <c>RestartMode</c>).</param>
internal sealed record ScenarioCommand(
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("sessionId")] string? SessionId = null,
    [property: JsonPropertyName("labels")] string[]? Labels = null,
    [property: JsonPropertyName("number")] long? Number = null,
    [property: JsonPropertyName("mode")] string? Mode = null);

/// <summary>The actions a <see cref="ScenarioCommand"/> names.</summary>
internal static class ScenarioActions
{
    /// <summary>Publishes one flat <c>message</c> event per label (data <c>{"n": label}</c>) in the session.</summary>
    public const string Publish = "publish";

    /// <summary>Refuses every WebSocket upgrade with 503 until <see cref="ReleaseReconnects"/>: the client retries meanwhile.</summary>
    public const string HoldReconnects = "hold-reconnects";

    /// <summary>Accepts upgrades again.</summary>
    public const string ReleaseReconnects = "release-reconnects";

    /// <summary>Drops every open connection at once, with no close frame (a network path dying).</summary>
    public const string Drop = "drop";

    /// <summary>Stops reading and writing on every open connection, down to the WebSocket layer, keeping the sockets open (a frozen peer).</summary>
    public const string Stall = "stall";

    /// <summary>Forgets the session's events through sequence <see cref="ScenarioCommand.Number"/>.</summary>
    public const string Evict = "evict";

    /// <summary>Restarts the gateway in <see cref="ScenarioCommand.Mode"/>.</summary>
    public const string Restart = "restart";

    /// <summary>Waits until the latest handshake's connection has answered <see cref="ScenarioCommand.Number"/> pings.</summary>
    public const string WaitForPongs = "wait-for-pongs";

    /// <summary>Answers how many handshakes the gateway has completed.</summary>
    public const string Handshakes = "handshakes";

    /// <summary>Answers the sequence the latest handshake resumed from, if it resumed.</summary>
    public const string ResumedFrom = "resumed-from";
}
