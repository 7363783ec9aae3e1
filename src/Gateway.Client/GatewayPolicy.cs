namespace Gateway.Client;

/// <summary>
/// Limits the server announced in its handshake (<c>hello_ok.policy</c>). Tests make one with
/// <see cref="GatewayModelFactory.GatewayPolicy"/>.
/// </summary>
public sealed class GatewayPolicy
{
    /// <summary>Creates a policy.</summary>
    internal GatewayPolicy(long? maxPayload, long? maxBufferedBytes, long? maxQueuedFrames, TimeSpan? heartbeatInterval)
    {
        MaxPayload = maxPayload;
        MaxBufferedBytes = maxBufferedBytes;
        MaxQueuedFrames = maxQueuedFrames;
        HeartbeatInterval = heartbeatInterval;
    }

    /// <summary>A policy that says nothing (legacy servers send none).</summary>
    public static GatewayPolicy None { get; } = new(null, null, null, null);

    /// <summary>The largest frame, in bytes, the server accepts; the client refuses larger ones before sending.</summary>
    public long? MaxPayload { get; }

    /// <summary>The server's outbound buffer limit for this connection, in bytes.</summary>
    public long? MaxBufferedBytes { get; }

    /// <summary>The server's outbound queue limit for this connection, in frames.</summary>
    public long? MaxQueuedFrames { get; }

    /// <summary>How often the server pings (<c>heartbeat_ms</c>).</summary>
    public TimeSpan? HeartbeatInterval { get; }
}
