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

    /// <summary>
    /// Whether <see cref="GatewayClient.ConnectAsync"/> retries a failed first attempt (with the same
    /// backoff, reported as <see cref="ConnectionState.Connecting"/> with the attempt number) until it
    /// succeeds, a failure is terminal, <see cref="MaxAttempts"/> run out or the caller cancels. Default:
    /// false: the first connect throws the first attempt's typed cause at once, so a wrong URL, port or
    /// path surfaces at start-up instead of as a silent hang. Reconnects after a connection was
    /// established always retry. The hosted connection of the DI package turns this on, because a
    /// service may start before its gateway.
    /// </summary>
    public bool RetryInitialConnect { get; set; }

    /// <summary>
    /// How long a connection must stay up to count as healthy. Only a healthy connection resets the
    /// backoff: a gateway that closes (or drains) every connection right after its handshake sees the
    /// delays grow to <see cref="MaxDelay"/> instead of a reconnect loop. Measured on the client's
    /// <see cref="GatewayClientOptions.TimeProvider"/>. Default: 5 seconds.
    /// </summary>
    public TimeSpan HealthyConnectionTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many resumes in a row may end on an event the client's WebSocket cannot read (invalid UTF-8
    /// in a text frame, which .NET closes with 1007 before the SDK sees the frame) at the same cursor,
    /// while the gateway's head is past it, before the client skips that one number: it resumes from the
    /// number after it and reports the skipped number as a gap with <see cref="GapReason.Undeliverable"/>.
    /// Default: 3.
    /// </summary>
    public int MaxResumesWithoutProgress { get; set; } = 3;

    internal ReconnectOptions Clone() => new()
    {
        Enabled = Enabled,
        InitialDelay = InitialDelay,
        MaxDelay = MaxDelay,
        Multiplier = Multiplier,
        Jitter = Jitter,
        MaxAttempts = MaxAttempts,
        RetryInitialConnect = RetryInitialConnect,
        HealthyConnectionTime = HealthyConnectionTime,
        MaxResumesWithoutProgress = MaxResumesWithoutProgress,
    };
}
