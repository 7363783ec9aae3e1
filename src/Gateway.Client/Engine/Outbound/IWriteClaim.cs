namespace Gateway.Client.Engine;

/// <summary>
/// What a request does around its write on a connection (<see cref="SendGate.WriteAsync"/>): it claims the connection
/// just before the write (registers there, so the answer, which may arrive before the write returns, finds it), and
/// releases it whenever its frame did not go out there.
/// </summary>
internal interface IWriteClaim
{
    /// <summary>Claims <paramref name="live"/> for the write; false when it has ended (nothing may be written on it).</summary>
    bool TryClaim(LiveConnection live);

    /// <summary>Nothing was written on <paramref name="live"/>, or the write failed there: the claim goes.</summary>
    void Release(LiveConnection live);
}
