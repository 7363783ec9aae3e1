using Gateway.Client.Benchmarks.Charts;

namespace Gateway.Client.Benchmarks.Tests;

public class LatencyChartTests
{
    [Fact]
    public void Draws_a_p50_and_a_p99_bar_per_client_and_rate_with_the_default_thread_pool()
    {
        var results = SampleResults.PacedRun(
            SampleResults.Paced("reference", 1_000, true, 300, 1_200),
            SampleResults.Paced("gateway", 1_000, true, 280, 1_100),
            SampleResults.Paced("reference", 1_000, false, 900, 9_000),
            SampleResults.Paced("reference", 10_000, true, 250, 2_000),
            SampleResults.Paced("gateway", 10_000, true, 240, 1_900));

        var svg = new SvgDocument(LatencyChart.Draw(results));

        Assert.Equal(4, svg.Elements("rect", LatencyChart.P50Class).Count);
        Assert.Equal(4, svg.Elements("rect", LatencyChart.P99Class).Count);
        Assert.Contains("1,000 events/s", svg.Texts);
        Assert.Contains("10,000 events/s", svg.Texts);
        Assert.DoesNotContain("p99 9 ms", svg.Texts);
    }

    [Fact]
    public void Latencies_ten_times_apart_are_a_decade_apart()
    {
        var results = SampleResults.PacedRun(
            SampleResults.Paced("a", 1_000, true, 100, 200),
            SampleResults.Paced("b", 1_000, true, 1_000, 2_000),
            SampleResults.Paced("c", 1_000, true, 10_000, 20_000));

        var svg = new SvgDocument(LatencyChart.Draw(results));

        var widths = new[] { "a", "b", "c" }.Select(kind => SvgDocument.Number(svg.Bar(LatencyChart.P50Class, kind), "width")).ToArray();
        Assert.True(widths[0] > 0);
        Assert.Equal(widths[1] - widths[0], widths[2] - widths[1], 1);
    }
}
