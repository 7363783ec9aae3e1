namespace Gateway.Client.Engine;

/// <summary>What a dialect's <see cref="ITurnDriver"/> may use of the client: sends, requests, the session, a session switch.</summary>
internal sealed class TurnServices
{
    public TurnServices(GatewayClient client, Supervisor supervisor, GatewayClientOptions options, TurnRouter router)
    {
        Client = client;
        Supervisor = supervisor;
        Options = options;
        Router = router;
    }

    /// <summary>The public client: requests go through it (and so through every promise it keeps).</summary>
    public GatewayClient Client { get; }

    public Supervisor Supervisor { get; }

    public GatewayClientOptions Options { get; }

    public TurnRouter Router { get; }

    /// <summary>The connection frames are written on now (the identity a turn's <see cref="TurnRun.SentOn"/> keeps).</summary>
    public object? LiveConnection => Supervisor.LiveConnection;

    public GatewaySession? Session => Supervisor.Session;
}
