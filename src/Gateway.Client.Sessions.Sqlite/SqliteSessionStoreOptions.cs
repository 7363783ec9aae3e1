using System.Text.RegularExpressions;

namespace Gateway.Client.Sessions.Sqlite;

/// <summary>Settings of a <see cref="SqliteSessionStore"/>.</summary>
public sealed class SqliteSessionStoreOptions
{
    private TimeProvider _timeProvider = TimeProvider.System;
    private string _tableName = "gateway_sessions";
    private TimeSpan _busyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The clock leases are granted, lapse and checkpoints are stamped on (<see cref="TimeProvider.System"/> unless a test
    /// fakes it). Every process sharing the database must use the same clock: on one machine, the system clock.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The table the sessions are kept in, created on first use; <c>gateway_sessions</c> by default.</summary>
    /// <exception cref="ArgumentException">The value is not a plain identifier (letters, digits and <c>_</c>, not starting with a digit).</exception>
    public string TableName
    {
        get => _tableName;
        set => _tableName = value is not null && Regex.IsMatch(value, "^[A-Za-z_][A-Za-z0-9_]{0,127}$", RegexOptions.CultureInvariant)
            ? value
            : throw new ArgumentException("The table name must be a plain identifier: letters, digits and '_', not starting with a digit.", nameof(value));
    }

    /// <summary>
    /// How long one statement waits for another connection's write lock on the database before it fails with
    /// <see cref="SessionStoreException"/>; 10 seconds by default. SQLite measures it on the system clock.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive or longer than a day.</exception>
    public TimeSpan BusyTimeout
    {
        get => _busyTimeout;
        set => _busyTimeout = value > TimeSpan.Zero && value <= TimeSpan.FromDays(1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "The busy timeout must be positive and at most a day.");
    }
}
