using Gateway.Client.Benchmarks.Charts;

namespace Gateway.Client.Benchmarks.Tests;

public class IdleChartTests
{
    [Fact]
    public void Draws_heap_working_set_and_cpu_bars_per_kind_in_proportion()
    {
        var results = SampleResults.ScaleRun(
            SampleResults.Idle("raw", 16 * 1024, 40 * 1024, 50),
            SampleResults.Idle("gateway", 32 * 1024, 40 * 1024, 100));

        var svg = new SvgDocument(IdleChart.Draw(results));

        Assert.Equal(2, svg.Elements("rect", IdleChart.HeapClass).Count);
        Assert.Equal(2, svg.Elements("rect", IdleChart.WorkingSetClass).Count);
        Assert.Equal(2, svg.Elements("rect", IdleChart.CpuClass).Count);
        Assert.Equal(2 * SvgDocument.Number(svg.Bar(IdleChart.HeapClass, "raw"), "width"), SvgDocument.Number(svg.Bar(IdleChart.HeapClass, "gateway"), "width"), 1);
        Assert.Equal(2 * SvgDocument.Number(svg.Bar(IdleChart.CpuClass, "raw"), "width"), SvgDocument.Number(svg.Bar(IdleChart.CpuClass, "gateway"), "width"), 1);
        Assert.Contains("idle CPU 40.00 µs/s (100 ms in all)", svg.Texts); // 100 ms over 500 clients and 5 s
    }

    [Fact]
    public void A_working_set_that_shrank_draws_no_bar_and_says_so()
    {
        var svg = new SvgDocument(IdleChart.Draw(SampleResults.ScaleRun(SampleResults.Idle("raw", 16 * 1024, -2 * 1024, 50))));

        Assert.Equal(0, SvgDocument.Number(svg.Bar(IdleChart.WorkingSetClass, "raw"), "width"));
        Assert.Contains("working set -2.0 KiB", svg.Texts);
    }
}
