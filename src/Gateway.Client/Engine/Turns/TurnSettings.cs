namespace Gateway.Client.Engine;

/// <summary>A turn's options with the defaults filled in, copied when the turn starts.</summary>
internal sealed class TurnSettings
{
    public TurnSettings(GatewayTurnOptions? options, GatewayClientOptions client)
    {
        options ??= new GatewayTurnOptions();
        options.Validate();
        AcceptTimeout = Bounded(options.AcceptTimeout ?? client.RequestTimeout);
        IdleTimeout = Bounded(options.IdleTimeout ?? GatewayTurnOptions.DefaultIdleTimeout);
        QueuedTimeout = Bounded(options.QueuedTimeout ?? GatewayTurnOptions.DefaultQueuedTimeout);
        NewSessionWhenStuck = options.NewSessionWhenStuck;
        SessionKey = options.SessionKey ?? "main";
        IdempotencyKey = options.IdempotencyKey;
        BufferCapacity = options.BufferCapacity;
    }

    /// <summary>The longest delay every target's timer takes (about 24.8 days): a longer bound is as good as none.</summary>
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(int.MaxValue);

    public TimeSpan AcceptTimeout { get; }

    public TimeSpan IdleTimeout { get; }

    public TimeSpan QueuedTimeout { get; }

    public bool NewSessionWhenStuck { get; }

    public string SessionKey { get; }

    public string? IdempotencyKey { get; }

    public int BufferCapacity { get; }

    private static TimeSpan Bounded(TimeSpan bound) => bound > LongestTimer ? Timeout.InfiniteTimeSpan : bound;
}
