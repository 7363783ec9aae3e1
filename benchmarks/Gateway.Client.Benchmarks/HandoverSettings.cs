namespace Gateway.Client.Benchmarks;

/// <summary>The processor intervals of a handover run, the same for both instances.</summary>
internal sealed record HandoverSettings(TimeSpan LeaseDuration, TimeSpan RenewInterval, TimeSpan BalanceInterval);
