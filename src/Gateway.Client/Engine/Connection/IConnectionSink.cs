using Gateway.Client.Dialects;
using Gateway.Client.Wire;

namespace Gateway.Client.Engine;

/// <summary>Where a connection's receive loop hands every inbound message; what it means (classification, routing) is decided behind it.</summary>
internal interface IConnectionSink
{
    /// <summary>
    /// One message, as received (text, binary or empty; never a close). Its bytes are valid during the call, and
    /// after it only while the sink holds <paramref name="message"/>'s slab; waiting here stops the socket being
    /// read. <paramref name="delivery"/> is cancelled when the client stops delivering (disconnecting) or the
    /// connection ends.
    /// </summary>
    ValueTask OnMessageAsync(ReceivedMessage message, CancellationToken delivery);

    /// <summary>
    /// The receive loop is about to wait for the socket (or has ended): whatever it handed over since the last
    /// flush must now reach the consumer. Until then, deliveries may be held back to wake the consumer once per
    /// batch instead of once per event.
    /// </summary>
    void Flush();
}
