namespace Gateway.Client.Dialects;

/// <summary>What the supervisor does after a connection or an attempt ended.</summary>
internal enum ReconnectAction
{
    /// <summary>Reconnect with backoff and resume from the cursor.</summary>
    Resume,

    /// <summary>Reconnect with backoff, asking the token provider for a fresh token (it is asked on every attempt).</summary>
    ResumeWithFreshToken,

    /// <summary>Reconnect after the backoff, with the server's retry-after as a floor (rate limiting).</summary>
    WaitThenResume,

    /// <summary>Stop, unless the token provider now returns a different token (credentials were rotated).</summary>
    TerminalUnlessTokenChanged,

    /// <summary>Stop: retrying cannot help.</summary>
    Terminal,
}
