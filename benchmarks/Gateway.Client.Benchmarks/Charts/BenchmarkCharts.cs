namespace Gateway.Client.Benchmarks.Charts;

/// <summary>
/// Which chart each mode's results make, and the <c>charts</c> mode: every chart whose results file exists, redrawn
/// from it. The drawing itself is in <see cref="ThroughputChart"/>, <see cref="LatencyChart"/> and <see cref="IdleChart"/>.
/// </summary>
internal static class BenchmarkCharts
{
    public const string Throughput = "throughput";
    public const string Paced = "paced";
    public const string Scale = "scale";

    public static IReadOnlyList<string> Modes { get; } = [Throughput, Paced, Scale];

    /// <summary>The chart file a mode's results make.</summary>
    public static string ChartFile(string mode) => mode switch
    {
        Throughput => "throughput.svg",
        Paced => "latency.svg",
        Scale => "idle.svg",
        _ => throw new ArgumentException($"no chart for mode '{mode}': {string.Join(", ", Modes)}", nameof(mode)),
    };

    /// <summary>Draws a mode's chart from its results file; returns the chart's path.</summary>
    /// <exception cref="FileNotFoundException">That mode has written no results there.</exception>
    public static string Draw(string mode, BenchmarkOutput output)
    {
        var svg = mode switch
        {
            Throughput => ThroughputChart.Draw(Results<ThroughputResults>(mode, output)),
            Paced => LatencyChart.Draw(Results<PacedResults>(mode, output)),
            Scale => IdleChart.Draw(Results<ScaleResults>(mode, output)),
            _ => throw new ArgumentException($"no chart for mode '{mode}': {string.Join(", ", Modes)}", nameof(mode)),
        };
        Directory.CreateDirectory(output.ChartsDirectory);
        var path = Path.Combine(output.ChartsDirectory, ChartFile(mode));
        File.WriteAllText(path, svg);
        return path;
    }

    /// <summary>Redraws the chart of every mode that has results; returns the charts' paths.</summary>
    public static IReadOnlyList<string> DrawAll(BenchmarkOutput output) =>
        Modes.Where(mode => File.Exists(output.ResultsFile(mode))).Select(mode => Draw(mode, output)).ToList();

    private static T Results<T>(string mode, BenchmarkOutput output)
        where T : class =>
        output.Load<T>(mode) ?? throw new FileNotFoundException($"No {mode} results: run the {mode} mode first.", output.ResultsFile(mode));
}
