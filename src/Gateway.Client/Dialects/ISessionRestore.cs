namespace Gateway.Client.Dialects;

/// <summary>
/// An optional capability of a dialect: per-connection state the server forgets with the connection
/// (event subscriptions, say). The engine sends these frames after every (re)connect, in order, before the
/// send gate opens, so no app frame overtakes them.
/// </summary>
internal interface ISessionRestore
{
    /// <summary>The frames to send on a new connection of <paramref name="session"/>; empty when there is nothing to restore.</summary>
    IReadOnlyList<byte[]> RestoreFrames(GatewaySession session);
}
