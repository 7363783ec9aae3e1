namespace Gateway.Client.Dialects.Praxis;

/// <summary>
/// What Praxis close codes mean for reconnecting. The live handler never closes (a server that stops is a
/// lost connection, 1006, resumed with backoff); the documented one closes with 1008 when it is full.
/// Nothing is terminal: Praxis has no authentication to refuse.
/// </summary>
internal static class PraxisReconnectTable
{
    public static IReadOnlyDictionary<int, ReconnectAction> CloseCodes { get; } = new Dictionary<int, ReconnectAction>
    {
        [1000] = ReconnectAction.Resume,          // normal closure
        [1001] = ReconnectAction.Resume,          // going away (uvicorn shutting down)
        [1008] = ReconnectAction.WaitThenResume,  // "Maximum connections reached": retry after a full backoff step
        [1011] = ReconnectAction.Resume,          // internal error
        [1012] = ReconnectAction.Resume,          // service restart
        [1013] = ReconnectAction.WaitThenResume,  // try again later
    };

    /// <summary>Praxis has no handshake: only the client's own timeout can fail one.</summary>
    public static IReadOnlyDictionary<string, ReconnectAction> HandshakeCodes { get; } = new Dictionary<string, ReconnectAction>(StringComparer.Ordinal)
    {
        [HandshakeErrorCodes.Timeout] = ReconnectAction.Resume,
    };
}
