using System.Text.Json;
using Gateway.Client.Benchmarks.Charts;

namespace Gateway.Client.Benchmarks.Tests;

public sealed class BenchmarkOutputTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "benchmark-output-" + Guid.NewGuid().ToString("N"));

    private BenchmarkOutput Output => new(Path.Combine(_folder, "results"), Path.Combine(_folder, "charts"));

    [Fact]
    public void Each_mode_s_results_round_trip_through_its_json_file()
    {
        var throughput = SampleResults.FourClients();
        var paced = SampleResults.PacedRun(SampleResults.Paced("gateway", 1_000, true, 280, 1_100));
        var scale = SampleResults.ScaleRun(SampleResults.Idle("gateway", 21_000, 40_000, 90));

        Output.Save(BenchmarkCharts.Throughput, throughput);
        Output.Save(BenchmarkCharts.Paced, paced);
        Output.Save(BenchmarkCharts.Scale, scale);

        AssertSame(throughput, Output.Load<ThroughputResults>(BenchmarkCharts.Throughput));
        AssertSame(paced, Output.Load<PacedResults>(BenchmarkCharts.Paced));
        AssertSame(scale, Output.Load<ScaleResults>(BenchmarkCharts.Scale));
        Assert.Equal(throughput.Run, Output.Load<ThroughputResults>(BenchmarkCharts.Throughput)!.Run);
    }

    [Fact]
    public void Publishing_writes_the_results_file_and_the_chart_drawn_from_it()
    {
        Output.Publish(BenchmarkCharts.Throughput, SampleResults.FourClients());

        Assert.True(File.Exists(Path.Combine(_folder, "results", "throughput.json")));
        Assert.Equal(ThroughputChart.Draw(SampleResults.FourClients()), File.ReadAllText(Path.Combine(_folder, "charts", "throughput.svg")));
    }

    [Fact]
    public void The_charts_mode_redraws_only_the_modes_that_have_results()
    {
        Output.Save(BenchmarkCharts.Scale, SampleResults.ScaleRun(SampleResults.Idle("gateway", 21_000, 40_000, 90)));

        var drawn = BenchmarkCharts.DrawAll(Output);

        Assert.Equal([Path.Combine(_folder, "charts", "idle.svg")], drawn);
        Assert.Null(Output.Load<ThroughputResults>(BenchmarkCharts.Throughput));
    }

    [Fact]
    public void Without_options_the_files_go_to_the_repository_s_benchmarks_results_and_docs_charts()
    {
        var output = BenchmarkOutput.From(null, null);

        Assert.True(File.Exists(Path.Combine(output.ResultsDirectory, "..", "..", "GatewayClient.sln")));
        Assert.EndsWith(Path.Combine("benchmarks", "results"), output.ResultsDirectory, StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine("docs", "charts"), output.ChartsDirectory, StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath("elsewhere"), BenchmarkOutput.From("elsewhere", null).ResultsDirectory);
    }

    [Fact]
    public void The_load_average_is_read_from_proc_loadavg_s_first_three_fields()
    {
        Assert.Equal(new LoadAverage(0.52, 1.5, 12), LoadAverage.Parse("0.52 1.50 12.00 2/467 31680\n"));
        Assert.Null(LoadAverage.Parse("not a load"));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>Records holding lists compare their lists by reference: compare what they serialize to instead.</summary>
    private static void AssertSame<T>(T expected, T? actual) => Assert.Equal(JsonSerializer.Serialize(expected), JsonSerializer.Serialize(actual));
}
