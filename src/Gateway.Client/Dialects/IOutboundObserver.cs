namespace Gateway.Client.Dialects;

/// <summary>
/// An optional capability of a dialect that matches answers to requests by their order on the wire: it
/// sees every frame just before it is written (under the connection's send lock, so in wire order), and
/// learns of a new connection from <see cref="IDialect.Continue"/>.
/// </summary>
internal interface IOutboundObserver
{
    /// <summary>The frame is about to be written on the current connection.</summary>
    void Sending(ReadOnlySpan<byte> utf8Frame);
}
