namespace Gateway.Client;

/// <summary>
/// How the client re-establishes a lost connection. Delays grow exponentially from
/// <see cref="InitialDelay"/> by <see cref="Multiplier"/> up to <see cref="MaxDelay"/>, then each is
/// spread by ±<see cref="Jitter"/> (the cap is applied before the jitter and never again, so clients
/// at the cap do not come back in lockstep). The first attempt after a drop is spread over
/// [0, <see cref="InitialDelay"/>). A server's <c>retry_after_seconds</c> is a floor.
/// </summary>
public sealed class ReconnectOptions
{
    /// <summary>Whether the client reconnects at all. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The base delay before the second attempt (and the spread of the first). Default: 1 second.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The cap on the exponential base delay (before jitter). Default: 30 seconds.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How much each base delay grows per attempt. Default: 2.</summary>
    public double Multiplier { get; set; } = 2;

    /// <summary>The relative spread of each delay, from 0 (none) to 1 (±100 %). Default: 0.2.</summary>
    public double Jitter { get; set; } = 0.2;

    /// <summary>
    /// How many attempts in a row may fail before the client gives up and enters
    /// <see cref="ConnectionState.Failed"/>; null never gives up. The count restarts after every
    /// successful handshake. Default: null.
    /// </summary>
    public int? MaxAttempts { get; set; }

    internal ReconnectOptions Clone() => new()
    {
        Enabled = Enabled,
        InitialDelay = InitialDelay,
        MaxDelay = MaxDelay,
        Multiplier = Multiplier,
        Jitter = Jitter,
        MaxAttempts = MaxAttempts,
    };
}
