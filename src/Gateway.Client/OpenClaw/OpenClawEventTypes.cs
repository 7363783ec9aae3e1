namespace Gateway.Client.OpenClaw;

/// <summary>
/// The OpenClaw gateway's event names (gateway 2026.9.6), the <see cref="GatewayEvent.Type"/> of its events; the
/// body (<see cref="GatewayEvent.Data"/>) is the frame's <c>payload</c>. See docs/openclaw.md.
/// </summary>
public static class OpenClawEventTypes
{
    /// <summary>The server's opening challenge, before <c>connect</c> (the client answers it; never delivered).</summary>
    public const string ConnectChallenge = "connect.challenge";

    /// <summary>The heartbeat, every <c>tickIntervalMs</c>: <c>{ts}</c>. Two silent intervals mean a dead connection.</summary>
    public const string Tick = "tick";

    /// <summary>The gateway stops or restarts: <c>{reason, restartExpectedMs?}</c>; a restart's delay floors the next reconnect.</summary>
    public const string Shutdown = "shutdown";

    /// <summary>An agent run's progress and output (<c>runId</c>, <c>stream</c>, <c>data</c>).</summary>
    public const string Agent = "agent";

    /// <summary>A chat session's messages and state (<c>sessionKey</c>, <c>state</c>, <c>message</c>).</summary>
    public const string Chat = "chat";

    /// <summary>Who is connected to the gateway changed.</summary>
    public const string Presence = "presence";

    /// <summary>The gateway's health snapshot changed.</summary>
    public const string Health = "health";

    /// <summary>An agent heartbeat run happened.</summary>
    public const string Heartbeat = "heartbeat";

    /// <summary>The list of sessions changed.</summary>
    public const string SessionsChanged = "sessions.changed";

    /// <summary>A scheduled (cron) job ran or changed.</summary>
    public const string Cron = "cron";
}
