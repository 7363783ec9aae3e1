namespace Gateway.Client;

/// <summary>The lifecycle state of a <see cref="GatewayClient"/>.</summary>
public enum ConnectionState
{
    /// <summary>Not connected: before <see cref="GatewayClient.ConnectAsync"/> or after <see cref="GatewayClient.DisconnectAsync"/>.</summary>
    Disconnected,

    /// <summary>Opening the socket and performing the handshake for the first time.</summary>
    Connecting,

    /// <summary>The handshake succeeded; events are flowing.</summary>
    Connected,

    /// <summary>The connection was lost and the client is re-establishing it.</summary>
    Reconnecting,

    /// <summary>A terminal error stopped the client; <see cref="ConnectionStateChangedEventArgs.Cause"/> says why.</summary>
    Failed,
}
