namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// The processor's settings as configuration writes them, every one optional: the generated binder fills this plain
/// object (and rejects a key that is none of these), then <see cref="GatewaySessionProcessorOptionsBinder"/> hands each
/// present value to <see cref="Sessions.GatewaySessionProcessorOptions"/>, whose setter may refuse it, naming the key.
/// </summary>
internal sealed class GatewaySessionProcessorSettings
{
    public string? OwnerId { get; set; }

    public TimeSpan? LeaseDuration { get; set; }

    public TimeSpan? RenewInterval { get; set; }

    public TimeSpan? BalanceInterval { get; set; }

    public int? CheckpointEvery { get; set; }

    public int? ClaimsPerCycle { get; set; }

    public TimeSpan? CheckpointInterval { get; set; }

    public TimeSpan? ClosingTimeout { get; set; }
}
