namespace Gateway.Client.Engine;

/// <summary>
/// The last number a connection's handshake promised to replay (the server's head), until it is accepted: then
/// the replay is complete. One per connection, written by its receive loop only.
/// </summary>
internal sealed class ReplayMarker
{
    private long _through;

    /// <param name="through">The server's head at the handshake; 0 when nothing is to be replayed.</param>
    public ReplayMarker(long through)
    {
        _through = through;
    }

    /// <summary>True once, when <paramref name="accepted"/> reaches the promised head.</summary>
    public bool Reached(long accepted)
    {
        if (_through == 0 || accepted < _through)
        {
            return false;
        }

        _through = 0;
        return true;
    }
}
