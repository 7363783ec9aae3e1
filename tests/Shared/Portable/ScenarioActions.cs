namespace Gateway.Client.Portable;

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
