namespace Gateway.Client.Engine;

/// <summary>Where an attempt's handshake resumes: the session and the last accepted number (null: from the server's head).</summary>
internal readonly record struct AttemptTarget(string? SessionId, long? Since, bool Reconnect);
