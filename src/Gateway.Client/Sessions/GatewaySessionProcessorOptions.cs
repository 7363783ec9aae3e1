namespace Gateway.Client.Sessions;

/// <summary>Settings of the session processor: who this instance is, its leases, its balancing and its checkpoints.</summary>
public sealed class GatewaySessionProcessorOptions
{
    private string _ownerId = $"{Environment.MachineName}-{ProcessIdText()}-{Guid.NewGuid():N}";
    private TimeSpan _leaseDuration = TimeSpan.FromSeconds(30);
    private TimeSpan _renewInterval = TimeSpan.FromSeconds(10);
    private TimeSpan _balanceInterval = TimeSpan.FromSeconds(10);
    private int _checkpointEvery = 1;
    private int _claimsPerCycle = 1;
    private TimeSpan? _checkpointInterval;
    private TimeSpan _closingTimeout = TimeSpan.FromSeconds(30);
    private TimeProvider _timeProvider = TimeProvider.System;

    /// <summary>This instance's name in the store's leases; unique per running instance (by default the machine, the process id and a GUID).</summary>
    /// <exception cref="ArgumentException">The value is empty or white space.</exception>
    public string OwnerId
    {
        get => _ownerId;
        set => _ownerId = Guard.NotNullOrWhiteSpace(value);
    }

    /// <summary>How long a claim or a renewal holds a session; 30 seconds by default. A crashed instance's sessions are taken over after at most this long.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan LeaseDuration
    {
        get => _leaseDuration;
        set => _leaseDuration = Positive(value);
    }

    /// <summary>How often owned leases are renewed; 10 seconds by default. Must be less than half of <see cref="LeaseDuration"/> (checked by <see cref="Validate"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan RenewInterval
    {
        get => _renewInterval;
        set => _renewInterval = Positive(value);
    }

    /// <summary>How often the balancing cycle runs (renew, list, claim one session, or every session whose owner left up to the fair share); 10 seconds by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan BalanceInterval
    {
        get => _balanceInterval;
        set => _balanceInterval = Positive(value);
    }

    /// <summary>
    /// How many sessions one balancing cycle may take that were never claimed before, or from a more loaded instance
    /// (steals); 1 by default, as in <c>EventProcessorClient</c>, so instances that start together spread out without
    /// taking sessions back and forth. Sessions whose owner left (released by a graceful stop, or lapsed after a crash)
    /// are taken up to the fair share in one cycle whatever this says. Raise it when one instance runs many sessions and
    /// must own them soon after it starts (1,000 sessions at 1 per 10-second cycle take almost three hours).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int ClaimsPerCycle
    {
        get => _claimsPerCycle;
        set => _claimsPerCycle = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least 1.");
    }

    /// <summary>A batched checkpoint is written once this many events were marked; 1 (every event) by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int CheckpointEvery
    {
        get => _checkpointEvery;
        set => _checkpointEvery = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least 1.");
    }

    /// <summary>A batched checkpoint is also written this long after the first unwritten mark; null (by default): only by <see cref="CheckpointEvery"/> and on stop.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan? CheckpointInterval
    {
        get => _checkpointInterval;
        set => _checkpointInterval = value is { } interval ? Positive(interval) : null;
    }

    /// <summary>
    /// How long a stop waits for a session to close (the event in hand, the last checkpoint, the closing handler) before
    /// releasing its lease anyway; 30 seconds by default. The close still runs to its end afterwards, with the session's
    /// lost-lease token fired. Also the bound on each call of the error handler.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan ClosingTimeout
    {
        get => _closingTimeout;
        set => _closingTimeout = Positive(value);
    }

    /// <summary>The clock of every interval, deadline and timeout (<see cref="TimeProvider.System"/> unless a test fakes it).</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = Guard.NotNull(value);
    }

    /// <summary>Checks the settings together: <see cref="RenewInterval"/> less than half of <see cref="LeaseDuration"/>, so one failed renewal does not lose a lease.</summary>
    /// <exception cref="InvalidOperationException">They do not fit together.</exception>
    public void Validate()
    {
        if (RenewInterval.Ticks * 2 >= LeaseDuration.Ticks)
        {
            throw new InvalidOperationException($"RenewInterval ({RenewInterval}) must be less than half of LeaseDuration ({LeaseDuration}).");
        }
    }

    /// <summary>A copy, so a running processor is not changed by later edits.</summary>
    public GatewaySessionProcessorOptions Clone() => (GatewaySessionProcessorOptions)MemberwiseClone();

    private static string ProcessIdText()
    {
#if NET5_0_OR_GREATER
        return Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
#else
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
#endif
    }

    private static TimeSpan Positive(TimeSpan value) =>
        value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The value must be positive.");
}
