namespace Gateway.Client.Engine;

/// <summary>A turn's options with the defaults filled in, copied when the turn starts.</summary>
internal sealed class TurnSettings
{
    public TurnSettings(GatewayTurnOptions? options, GatewayClientOptions client)
    {
        options ??= new GatewayTurnOptions();
        options.Validate();
        AcceptTimeout = options.AcceptTimeout ?? client.RequestTimeout;
        IdleTimeout = options.IdleTimeout ?? GatewayTurnOptions.DefaultIdleTimeout;
        QueuedTimeout = options.QueuedTimeout ?? GatewayTurnOptions.DefaultQueuedTimeout;
        NewSessionWhenStuck = options.NewSessionWhenStuck;
        SessionKey = options.SessionKey ?? "main";
        IdempotencyKey = options.IdempotencyKey;
        BufferCapacity = options.BufferCapacity;
    }

    public TimeSpan AcceptTimeout { get; }

    public TimeSpan IdleTimeout { get; }

    public TimeSpan QueuedTimeout { get; }

    public bool NewSessionWhenStuck { get; }

    public string SessionKey { get; }

    public string? IdempotencyKey { get; }

    public int BufferCapacity { get; }
}
