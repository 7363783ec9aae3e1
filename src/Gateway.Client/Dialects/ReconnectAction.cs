namespace Gateway.Client.Dialects;

/// <summary>What the supervisor does after a connection or an attempt ended.</summary>
internal enum ReconnectAction
{
    /// <summary>Reconnect with backoff and resume from the cursor.</summary>
    Resume,

    /// <summary>
    /// Rate limited: reconnect after at least a full backoff step (never in the spread of the first attempt
    /// after a drop), with the server's retry-after as a floor.
    /// </summary>
    WaitThenResume,

    /// <summary>Stop, unless the token provider now returns a different token (credentials were rotated).</summary>
    TerminalUnlessTokenChanged,

    /// <summary>Stop: retrying cannot help.</summary>
    Terminal,
}
