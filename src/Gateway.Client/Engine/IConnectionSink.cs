using Gateway.Client.Dialects;

namespace Gateway.Client.Engine;

/// <summary>Where a connection's receive loop hands what it read. Called only from that loop, one at a time.</summary>
internal interface IConnectionSink
{
    /// <summary>An event; <paramref name="payload"/> is only valid during the call. Waiting here stops the socket being read.</summary>
    ValueTask OnEventAsync(InboundFrame frame, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    /// <summary>A <c>res</c> frame.</summary>
    void OnResponse(ReadOnlySpan<byte> frame);

    /// <summary>The server announced a restart: the next reconnect should wait at least this long.</summary>
    void OnReconnectFloor(long milliseconds);

    /// <summary>The server asked for a reconnect (drain).</summary>
    void OnReconnectRequested(long? retryAfterMilliseconds);

    /// <summary>A frame that is not delivered: it is logged and counted.</summary>
    void OnSkipped(InboundFrame frame, System.Net.WebSockets.WebSocketMessageType messageType);
}
