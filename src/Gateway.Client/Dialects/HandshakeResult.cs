namespace Gateway.Client.Dialects;

/// <summary>A successful handshake: the session, and any frames read past the handshake's end.</summary>
internal sealed class HandshakeResult
{
    public HandshakeResult(GatewaySession session, bool resyncRequired, IReadOnlyList<byte[]> framesAfterHandshake)
    {
        Session = session;
        ResyncRequired = resyncRequired;
        FramesAfterHandshake = framesAfterHandshake;
    }

    public GatewaySession Session { get; }

    /// <summary>Legacy <c>joined.resync_required</c>: the server could not replay what was missed.</summary>
    public bool ResyncRequired { get; }

    /// <summary>Frames that arrived after the handshake answer and belong to the event stream (in order).</summary>
    public IReadOnlyList<byte[]> FramesAfterHandshake { get; }
}
