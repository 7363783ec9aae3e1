namespace Gateway.Client.Testing;

/// <summary>What a simulated server restart keeps.</summary>
public enum RestartMode
{
    /// <summary>Sessions and their numbering survive (a clean restart with persistent storage).</summary>
    KeepHistory,

    /// <summary>Sessions are known but their numbering history is gone: numbering restarts at 1 in a new epoch.</summary>
    LoseHistory,

    /// <summary>Every session is forgotten: a resume gets <c>resumed:false</c> and a fresh, empty session.</summary>
    ForgetSessions,
}
