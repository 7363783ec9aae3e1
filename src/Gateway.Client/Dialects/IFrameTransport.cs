namespace Gateway.Client.Dialects;

/// <summary>What a handshake needs from a connection: send a frame, receive the next text frame, answer a ping.</summary>
internal interface IFrameTransport
{
    /// <summary>Sends one text frame.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> utf8Frame, CancellationToken cancellationToken);

    /// <summary>
    /// Receives the next text frame as an owned copy. Non-text frames are skipped (and counted).
    /// Cancelling aborts the socket, so a handshake that wants to keep waiting after a timeout keeps
    /// the returned task and awaits it again rather than cancelling it.
    /// </summary>
    /// <exception cref="GatewayConnectionException">The server closed the connection or it failed.</exception>
    Task<byte[]> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>Answers a gateway ping with the dialect's pong, without waiting behind other sends (the one place a pong is written).</summary>
    void AnswerPing();

    /// <summary>The handshake skipped a frame that was not its answer (an event before the session exists, say): counted.</summary>
    void FrameIgnored();
}
