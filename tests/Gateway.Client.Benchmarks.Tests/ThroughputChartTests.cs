using Gateway.Client.Benchmarks.Charts;

namespace Gateway.Client.Benchmarks.Tests;

public class ThroughputChartTests
{
    [Fact]
    public void Draws_one_bar_per_client_and_the_raw_loop_as_a_limit_line()
    {
        var svg = new SvgDocument(ThroughputChart.Draw(SampleResults.FourClients()));

        Assert.Equal(["raw", "reference", "gateway", "signalr"], svg.Elements("rect", "bar").Select(e => (string)e.Attribute("data-kind")!));
        var limit = Assert.Single(svg.Elements("line", "limit"));
        var raw = svg.Bar("bar", "raw");
        Assert.Equal(SvgDocument.Number(raw, "x") + SvgDocument.Number(raw, "width"), SvgDocument.Number(limit, "x1"), 2);
        Assert.Equal(SvgDocument.Number(limit, "x1"), SvgDocument.Number(limit, "x2"));
    }

    [Fact]
    public void A_client_twice_as_fast_has_a_bar_twice_as_long()
    {
        var svg = new SvgDocument(ThroughputChart.Draw(SampleResults.FourClients()));

        var gateway = SvgDocument.Number(svg.Bar("bar", "gateway"), "width");
        Assert.Equal(gateway * 2, SvgDocument.Number(svg.Bar("bar", "raw"), "width"), 1);
        Assert.Equal(gateway / 2.5, SvgDocument.Number(svg.Bar("bar", "signalr"), "width"), 1);
    }

    [Fact]
    public void A_whisker_spans_the_slowest_round_to_the_fastest()
    {
        var svg = new SvgDocument(ThroughputChart.Draw(SampleResults.FourClients()));

        var bar = svg.Bar("bar", "gateway");
        var left = SvgDocument.Number(bar, "x");
        var perEvent = SvgDocument.Number(bar, "width") / 500_000;
        var span = svg.Elements("line", "whisker").Where(l => (string?)l.Attribute("data-kind") == "gateway").Single(l => (string?)l.Attribute("y1") == (string?)l.Attribute("y2"));
        Assert.Equal(left + (450_000 * perEvent), SvgDocument.Number(span, "x1"), 1);
        Assert.Equal(left + (520_000 * perEvent), SvgDocument.Number(span, "x2"), 1);
    }

    [Fact]
    public void Without_the_raw_loop_there_is_no_limit_line()
    {
        var svg = new SvgDocument(ThroughputChart.Draw(SampleResults.ThroughputRun(SampleResults.Throughput("gateway", 500_000, 450_000, 520_000))));

        Assert.Single(svg.Elements("rect", "bar"));
        Assert.Empty(svg.Elements("line", "limit"));
    }

    [Fact]
    public void The_footnote_gives_the_date_the_machine_the_command_and_the_load()
    {
        var texts = new SvgDocument(ThroughputChart.Draw(SampleResults.FourClients())).Texts;

        Assert.Contains(texts, t => t.StartsWith("2026-12-01 09:30 UTC · 2 cores, x64, Linux 6.18 · .NET 10.0.5", StringComparison.Ordinal));
        Assert.Contains("load average (1, 5, 15 min): 3.25 2.50 1.75 before the run, 4.50 3.00 2.00 after it", texts);
        Assert.Contains("dotnet run -c Release --project benchmarks/Gateway.Client.Benchmarks -- throughput --events 300000 --rounds 3 --size 256", texts);
    }

    [Fact]
    public void A_label_with_markup_characters_stays_well_formed()
    {
        var svg = new SvgDocument(ThroughputChart.Draw(SampleResults.ThroughputRun(SampleResults.Throughput("odd", 1, 1, 1, "<client> & \"friends\""))));

        Assert.Contains("<client> & \"friends\"", svg.Texts);
    }
}
