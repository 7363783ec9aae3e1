namespace Gateway.Client.Sessions;

/// <summary>Settings of a <see cref="FileSessionStore"/>.</summary>
public sealed class FileSessionStoreOptions
{
    private TimeProvider _timeProvider = TimeProvider.System;
    private TimeSpan _lockTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The clock leases are granted, lapse and checkpoints are stamped on, and the lock wait is measured on
    /// (<see cref="TimeProvider.System"/> unless a test fakes it). Every process sharing a directory must use the same
    /// clock: on one machine, the system clock.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = Guard.NotNull(value);
    }

    /// <summary>
    /// How long one call waits for a session's file lock while another process (or call) holds it before it fails with
    /// <see cref="SessionStoreException"/>; 10 seconds by default. <see cref="TimeSpan.Zero"/>: one try.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative (and not <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    public TimeSpan LockTimeout
    {
        get => _lockTimeout;
        set => _lockTimeout = value >= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "The lock timeout must not be negative.");
    }
}
