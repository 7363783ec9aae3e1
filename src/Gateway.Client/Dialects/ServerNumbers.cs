using Gateway.Client.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Dialects;

/// <summary>
/// The one place where numbers from the server become times and positions, each within documented
/// bounds (docs/protocol.md, "Numbers from the server"): a heartbeat between 1 s and 1 h, a retry-after
/// or restart delay of at most 1 h, a sequence number or cursor that leaves room for <c>+1</c>, an event's
/// time within the dates there are. A value
/// outside its bounds is clamped (or, for a delay that is negative or not a number, ignored), logged
/// once per field and counted in <see cref="GatewayClientStatistics.ServerValuesClamped"/>; it never
/// reaches a timer or an addition that would throw.
/// </summary>
internal sealed class ServerNumbers
{
    /// <summary>The shortest heartbeat the client accepts: a server asking for less would have every connection declared dead at once.</summary>
    public static readonly TimeSpan HeartbeatFloor = TimeSpan.FromSeconds(1);

    /// <summary>The longest heartbeat the client accepts.</summary>
    public static readonly TimeSpan HeartbeatCeiling = TimeSpan.FromHours(1);

    /// <summary>The longest wait a server can ask for (retry-after, an announced restart).</summary>
    public static readonly TimeSpan DelayCeiling = TimeSpan.FromHours(1);

    /// <summary>The largest sequence number or cursor accepted: one less than the largest integer, so <c>+1</c> cannot overflow.</summary>
    public const long MaxSequence = long.MaxValue - 1;

    /// <summary>An event <c>timestamp</c> below this is Unix seconds (PraisonAI's <c>time.time()</c>); from here on, milliseconds (year 5138 in seconds, 1973 in milliseconds).</summary>
    public const double TimestampSecondsBelow = 1e11;

    /// <summary>The last millisecond <see cref="DateTimeOffset"/> can hold, in Unix milliseconds (the end of year 9999).</summary>
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    private static readonly DateTimeOffset UnixEpoch = DateTimeOffset.FromUnixTimeMilliseconds(0); // no DateTimeOffset.UnixEpoch on netstandard2.0

    private readonly ILogger? _logger;
    private readonly ClientCounters? _counters;
    private readonly HashSet<string> _logged = new(StringComparer.Ordinal);

    public ServerNumbers(ILogger? logger, ClientCounters? counters)
    {
        _logger = logger;
        _counters = counters;
    }

    /// <summary>Clamps without logging or counting (unit tests, parsing outside a client).</summary>
    public static ServerNumbers Unobserved { get; } = new(null, null);

    /// <summary>
    /// An event's numeric <c>timestamp</c> as a time: Unix seconds below <see cref="TimestampSecondsBelow"/>, milliseconds
    /// from there; null when it is no date <see cref="DateTimeOffset"/> holds (negative, not a number, past year 9999),
    /// so an unreadable time never makes the event unreadable. Not logged or counted: the app reads it, lazily, off the
    /// receive loop.
    /// </summary>
    public static DateTimeOffset? UnixTime(double number)
    {
        if (!(number >= 0))
        {
            return null;
        }

        var milliseconds = number < TimestampSecondsBelow ? number * 1000 : number;
        if (!(milliseconds <= MaxUnixMilliseconds))
        {
            return null;
        }

        // Whole milliseconds in integers, so a large one is exact; the fraction in ticks.
        var whole = Math.Floor(milliseconds);
        var ticks = ((long)whole * TimeSpan.TicksPerMillisecond) + (long)((milliseconds - whole) * TimeSpan.TicksPerMillisecond);
        return UnixEpoch.AddTicks(ticks);
    }

    /// <summary>Whether <paramref name="value"/> can be an event's number.</summary>
    public static bool IsSequence(long value) => value is > 0 and <= MaxSequence;

    /// <summary>Whether <paramref name="value"/> can be a cursor (0: nothing yet).</summary>
    public static bool IsCursor(long value) => value is >= 0 and <= MaxSequence;

    /// <summary>A heartbeat interval in milliseconds; absent, zero or negative is the client's default (null).</summary>
    public TimeSpan? Heartbeat(string field, long? milliseconds)
    {
        if (milliseconds is not { } ms)
        {
            return null;
        }

        if (ms <= 0)
        {
            Clamped(field, ms, "the default");
            return null;
        }

        var floor = (long)HeartbeatFloor.TotalMilliseconds;
        var ceiling = (long)HeartbeatCeiling.TotalMilliseconds;
        if (ms < floor || ms > ceiling)
        {
            var used = Math.Min(Math.Max(ms, floor), ceiling);
            Clamped(field, ms, $"{used} ms");
            return TimeSpan.FromMilliseconds(used);
        }

        return TimeSpan.FromMilliseconds(ms);
    }

    /// <summary>A delay the server asks for, in milliseconds; negative is ignored (null), more than <see cref="DelayCeiling"/> is cut to it.</summary>
    public TimeSpan? DelayMilliseconds(string field, long? milliseconds) => milliseconds is { } ms ? Delay(field, ms, ms / 1000.0) : null;

    /// <summary>A delay the server asks for, in seconds; negative or not a number is ignored (null), more than <see cref="DelayCeiling"/> is cut to it.</summary>
    public TimeSpan? DelaySeconds(string field, double? seconds) => seconds is { } s ? Delay(field, s, s) : null;

    private TimeSpan? Delay(string field, double raw, double seconds)
    {
        if (double.IsNaN(seconds) || seconds < 0)
        {
            Clamped(field, raw, "none");
            return null;
        }

        if (seconds > DelayCeiling.TotalSeconds)
        {
            Clamped(field, raw, $"{DelayCeiling.TotalSeconds:0} s");
            return DelayCeiling;
        }

        return TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
    }

    private void Clamped(string field, double raw, string used)
    {
        _counters?.ServerValueClamped();
        if (_logger is null)
        {
            return;
        }

        bool first;
        lock (_logged)
        {
            first = _logged.Add(field);
        }

        if (first)
        {
            Log.ServerValueClamped(_logger, field, raw, used);
        }
    }
}
