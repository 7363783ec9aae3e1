namespace Gateway.Client.Sessions;

/// <summary>
/// Passed to <see cref="GatewaySessionProcessor.InitializingHandler"/> when an instance starts a session that has no
/// checkpoint yet: the handler chooses where to start by setting <see cref="StartFrom"/>.
/// </summary>
public sealed class GatewaySessionInitializingEventArgs
{
    internal GatewaySessionInitializingEventArgs(GatewaySessionDefinition definition, CancellationToken cancellationToken)
    {
        Definition = definition;
        CancellationToken = cancellationToken;
    }

    /// <summary>The session's key.</summary>
    public string SessionKey => Definition.Key;

    /// <summary>The session's definition.</summary>
    public GatewaySessionDefinition Definition { get; }

    /// <summary>Where the session's client resumes; null (the default) starts a new stream from the beginning.</summary>
    public GatewayResumePoint? StartFrom { get; set; }

    /// <summary>Fires when this instance can no longer hold the session's lease (and when the processor stops).</summary>
    public CancellationToken CancellationToken { get; }
}
