namespace Gateway.Client.Engine;

/// <summary>
/// The reconnect delay formula. For the n-th attempt in a row (n ≥ 2) the base is
/// <c>min(MaxDelay, InitialDelay × Multiplier^(n−2))</c>, and the delay is the base spread by
/// ±<c>Jitter</c>. The cap is applied to the base only, never after the jitter: clamping after jitter
/// (as Polly's built-in jitter does) puts every client at exactly MaxDelay, in lockstep. The first
/// attempt after a drop is spread uniformly over [0, InitialDelay) so a mass disconnect does not come
/// back as a herd. A server's retry-after is a floor on any delay.
/// </summary>
internal sealed class Backoff
{
    private readonly ReconnectOptions _options;
    private readonly Func<double> _random;

    public Backoff(ReconnectOptions options, Func<double> random)
    {
        _options = options;
        _random = random;
    }

    /// <summary>The delay before the first attempt after a connection was lost.</summary>
    public TimeSpan FirstAfterDrop(TimeSpan? floor) =>
        AtLeast(TimeSpan.FromTicks((long)(_options.InitialDelay.Ticks * Unit())), floor);

    /// <summary>The delay before attempt <paramref name="attempt"/> (2 or more) after the previous one failed.</summary>
    public TimeSpan BeforeAttempt(int attempt, TimeSpan? floor)
    {
        if (attempt < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(attempt), attempt, "The first attempt after a failure is attempt 2.");
        }

        var baseTicks = CappedBaseTicks(attempt - 2);
        var spread = 1 + (_options.Jitter * ((2 * Unit()) - 1));
        return AtLeast(TimeSpan.FromTicks((long)(baseTicks * spread)), floor);
    }

    private double CappedBaseTicks(int exponent)
    {
        var grown = _options.InitialDelay.Ticks * Math.Pow(_options.Multiplier, exponent);
        return double.IsInfinity(grown) || grown > _options.MaxDelay.Ticks ? _options.MaxDelay.Ticks : grown;
    }

    /// <summary>A random number in [0, 1), whatever the source returns.</summary>
    private double Unit()
    {
        var value = _random();
        return double.IsNaN(value) ? 0 : Math.Min(Math.Max(value, 0), 0.9999999999);
    }

    private static TimeSpan AtLeast(TimeSpan delay, TimeSpan? floor) => floor is { } f && f > delay ? f : delay;
}
