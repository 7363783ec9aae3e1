namespace Gateway.Client.Dialects;

/// <summary>
/// The dialect's part of one connection: how its inbound frames are read, and what it must see of the frames
/// written on it. A stateless dialect is its own (<see cref="IDialect.BeginConnection"/> returns itself); a
/// dialect that matches answers by their order on the wire (Praxis) keeps that ledger here, so it lives and dies
/// with the connection it belongs to.
/// </summary>
internal interface IDialectConnection
{
    /// <summary>Classifies one inbound text frame. Never throws: a frame it cannot read is <see cref="FrameKind.Malformed"/>.</summary>
    InboundFrame Classify(ReadOnlySpan<byte> utf8Frame);

    /// <summary>Reads a <see cref="FrameKind.Response"/> frame (on the receive loop, right after <see cref="Classify"/> said so).</summary>
    ResponseFrame ParseResponse(ReadOnlySpan<byte> utf8Frame);

    /// <summary>
    /// A frame is about to be written on this connection, under its send lock (so in wire order).
    /// <paramref name="isRequest"/>: it is a request whose answer completes a <c>RequestAsync</c>.
    /// </summary>
    void Sending(ReadOnlySpan<byte> utf8Frame, bool isRequest);
}
