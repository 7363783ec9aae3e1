using System.Globalization;
using System.Runtime.InteropServices;

namespace Gateway.Client.Benchmarks.Charts;

/// <summary>
/// When and where a run ran, and how busy the machine was: on a shared machine, figures mean little without it.
/// The load average is read before the run (what else was running) and after it (the run's own load included).
/// </summary>
/// <param name="Command">The mode and the options it ran with, as typed after <c>--</c>.</param>
internal sealed record RunContext(DateTimeOffset Date, string Command, RunMachine Machine, LoadAverage? LoadAtStart, LoadAverage? LoadAtEnd)
{
    public static RunContext Start(string command) => new(DateTimeOffset.UtcNow, command, RunMachine.Current(), LoadAverage.Now(), null);

    /// <summary>The run as it ended: the date it ended and the load then.</summary>
    public RunContext Finish() => this with { Date = DateTimeOffset.UtcNow, LoadAtEnd = LoadAverage.Now() };

    /// <summary>Three lines for a chart's footnote: the date and machine, the load, the command.</summary>
    public IReadOnlyList<string> Describe() =>
    [
        string.Create(CultureInfo.InvariantCulture, $"{Date:yyyy-MM-dd HH:mm} UTC · {Machine.Cores} cores, {Machine.Architecture}, {Machine.Os} · {Machine.Runtime}"),
        $"load average (1, 5, 15 min): {LoadAtStart?.ToString() ?? "unknown"} before the run, {LoadAtEnd?.ToString() ?? "unknown"} after it",
        $"dotnet run -c Release --project benchmarks/Gateway.Client.Benchmarks -- {Command}",
    ];
}

/// <summary>The machine a run ran on.</summary>
internal sealed record RunMachine(int Cores, string Os, string Architecture, string Runtime)
{
    public static RunMachine Current() => new(
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
        RuntimeInformation.FrameworkDescription);
}

/// <summary>The machine's load average over 1, 5 and 15 minutes (Linux's /proc/loadavg).</summary>
internal sealed record LoadAverage(double OneMinute, double FiveMinutes, double FifteenMinutes)
{
    /// <summary>The load now; null where there is no /proc/loadavg.</summary>
    public static LoadAverage? Now() => File.Exists("/proc/loadavg") ? Parse(File.ReadAllText("/proc/loadavg")) : null;

    /// <summary>The first three fields of /proc/loadavg; null if they are not numbers.</summary>
    public static LoadAverage? Parse(string procLoadavg)
    {
        var fields = procLoadavg.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 3
            && double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var one)
            && double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var five)
            && double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var fifteen)
                ? new LoadAverage(one, five, fifteen)
                : null;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{OneMinute:0.00} {FiveMinutes:0.00} {FifteenMinutes:0.00}");
}
