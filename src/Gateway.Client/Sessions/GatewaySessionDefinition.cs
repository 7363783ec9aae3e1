namespace Gateway.Client.Sessions;

/// <summary>
/// One gateway session the session processor runs on whichever instance owns it: its <see cref="Key"/> in the
/// <see cref="ISessionStore"/>, and how to build the <see cref="GatewayClientOptions"/> of a client for it (URL, agent,
/// dialect) from where to resume.
/// </summary>
public sealed class GatewaySessionDefinition
{
    /// <summary>Creates a definition.</summary>
    /// <param name="key">The session's key in the store, unique among the processor's definitions.</param>
    /// <param name="createOptions">
    /// Builds the client's options when an instance starts the session; its second argument is the resume point to start
    /// from (the checkpoint, or the initializing handler's choice; null: from the start), which the options must carry as
    /// <see cref="GatewayClientOptions.ResumeFrom"/>.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or white space.</exception>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public GatewaySessionDefinition(string key, Func<GatewaySessionDefinition, GatewayResumePoint?, GatewayClientOptions> createOptions)
    {
        Key = Guard.NotNullOrWhiteSpace(key);
        CreateOptions = Guard.NotNull(createOptions);
    }

    /// <summary>The session's key in the store.</summary>
    public string Key { get; }

    /// <summary>Builds the options of a client for this session, resuming from the given point (null: from the start).</summary>
    public Func<GatewaySessionDefinition, GatewayResumePoint?, GatewayClientOptions> CreateOptions { get; }

    /// <inheritdoc/>
    public override string ToString() => Key;
}
