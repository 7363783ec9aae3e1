namespace Gateway.Client.Benchmarks.Charts;

/// <summary>
/// Throughput against the peers and the raw limit: a horizontal bar per client (its median events/s), a whisker from
/// its slowest round to its fastest, and a dashed line where the raw receive loop is (what no client can pass).
/// </summary>
internal static class ThroughputChart
{
    private const string RawKind = "raw";

    private const double Top = 84;
    private const double RowHeight = 30;
    private const double BarHeight = 18;
    private const double ValueLabelRoom = 190;

    public static string Draw(ThroughputResults results)
    {
        var labelRoom = 28 + results.Clients.Select(c => SvgChart.TextWidth(c.Label, 12)).DefaultIfEmpty(100).Max();
        var width = Math.Max(900, labelRoom + 480 + ValueLabelRoom);
        var bottom = Top + (results.Clients.Count * RowHeight);
        var chart = new SvgChart(width, bottom + 127, "Throughput: events per second at saturation");
        chart.Text(16, 48, SvgChart.Invariant($"{results.Events:N0} events of ~{results.Size} B per run · {results.Rounds} alternated rounds, each client in a fresh process · bars: medians, whiskers: min–max"), 12, fill: SvgChart.Muted);

        var raw = results.Clients.FirstOrDefault(c => c.Kind == RawKind);
        var scale = ChartScale.Linear(results.Clients.Select(c => Math.Max(c.EventsPerSecondMax, c.EventsPerSecond)).DefaultIfEmpty(0).Max(), labelRoom, width - ValueLabelRoom);
        chart.ValueAxis(scale, Top - 8, bottom, SvgChart.Compact, "events per second, median of the rounds (higher is better)");

        for (var i = 0; i < results.Clients.Count; i++)
        {
            var client = results.Clients[i];
            var y = Top + (i * RowHeight) + ((RowHeight - BarHeight) / 2);
            var middle = y + (BarHeight / 2);
            chart.Text(labelRoom - 10, middle + 4, client.Label, 12, "end");
            chart.Rect(scale.Left, y, scale.At(client.EventsPerSecond) - scale.Left, BarHeight, Colour(client.Kind), "bar", client.Kind,
                SvgChart.Invariant($"{client.Label}: {client.EventsPerSecond:N0} events/s ({client.EventsPerSecondMin:N0}–{client.EventsPerSecondMax:N0})"));
            Whisker(chart, scale.At(client.EventsPerSecondMin), scale.At(client.EventsPerSecondMax), middle, client.Kind);
            var ratio = client.RatioToRaw is { } r ? SvgChart.Invariant($" · {r:0.00}× raw") : "";
            chart.Text(Math.Max(scale.At(client.EventsPerSecondMax), scale.At(client.EventsPerSecond)) + 8, middle + 4, SvgChart.Invariant($"{client.EventsPerSecond:N0}{ratio}"), 11.5, fill: SvgChart.Ink);
        }

        if (raw is not null)
        {
            var limit = scale.At(raw.EventsPerSecond);
            chart.Line(limit, Top - 14, limit, bottom, "#cf222e", "limit", 1.5, "6 4", raw.Kind);
            chart.Text(limit, Top - 18, SvgChart.Invariant($"raw loop, the limit: {raw.EventsPerSecond:N0}/s"), 11.5, "middle", "#cf222e");
        }

        var legend = 16.0;
        foreach (var (fill, label) in new[] { (Colour("gateway"), "GatewayClient"), (Colour("reference"), "hand-written reference"), (Colour("wsclient"), "peers"), (Colour(RawKind), "raw receive loop, no parsing") })
        {
            legend = chart.LegendEntry(legend, bottom + 60, fill, label);
        }

        chart.Footnote(results.Run.Describe());
        return chart.ToString();
    }

    /// <summary>Our client in blue, the raw loop grey, the hand-written reference purple, the peers orange.</summary>
    private static string Colour(string kind) => kind switch
    {
        RawKind => "#8c959f",
        "reference" => "#8250df",
        _ when kind.StartsWith("gateway", StringComparison.Ordinal) => "#0969da",
        _ => "#d4752b",
    };

    private static void Whisker(SvgChart chart, double from, double to, double middle, string kind)
    {
        chart.Line(from, middle, to, middle, SvgChart.Ink, "whisker", 1.2, kind: kind);
        chart.Line(from, middle - 5, from, middle + 5, SvgChart.Ink, "whisker", 1.2, kind: kind);
        chart.Line(to, middle - 5, to, middle + 5, SvgChart.Ink, "whisker", 1.2, kind: kind);
    }
}
