namespace Gateway.Client.Sessions;

/// <summary>
/// Passed to <see cref="GatewaySessionProcessor.ErrorHandler"/> for a failure the processor survives: the store failed,
/// a handler threw, a session could not start or its client stopped for good. Every one is also logged and counted.
/// </summary>
public sealed class GatewaySessionErrorEventArgs
{
    internal GatewaySessionErrorEventArgs(string? sessionKey, string operation, Exception exception, CancellationToken cancellationToken)
    {
        SessionKey = sessionKey;
        Operation = operation;
        Exception = exception;
        CancellationToken = cancellationToken;
    }

    /// <summary>The session concerned; null for the balancing cycle itself (<c>balance</c>, <c>renew</c>).</summary>
    public string? SessionKey { get; }

    /// <summary>
    /// What failed: <c>balance</c> (listing or claiming), <c>renew</c>, <c>start</c> (reading the checkpoint, the
    /// initializing handler, building or connecting the client), <c>session</c> (the client stopped for good),
    /// <c>event</c> (the event handler threw), <c>checkpoint</c> (a write failed or was refused), <c>close</c> (the
    /// closing handler threw or overran its timeout) or <c>release</c>.
    /// </summary>
    public string Operation { get; }

    /// <summary>The failure. A refused checkpoint is a <see cref="SessionOwnershipLostException"/>; a failing store a <see cref="SessionStoreException"/>.</summary>
    public Exception Exception { get; }

    /// <summary>Fires when the processor stops; the handler is awaited at most <see cref="GatewaySessionProcessorOptions.ClosingTimeout"/>.</summary>
    public CancellationToken CancellationToken { get; }
}
