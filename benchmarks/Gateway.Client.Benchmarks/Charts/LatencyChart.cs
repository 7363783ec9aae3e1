namespace Gateway.Client.Benchmarks.Charts;

/// <summary>
/// Latency at paced rates, from the server's stamp to the loop body: per rate, a pair of bars per client (p50 and p99,
/// medians over the rounds) on a logarithmic axis, since the figures span decades. Only the runs with the runtime's
/// default thread pool are drawn; the results file also holds those with its spinning off.
/// </summary>
internal static class LatencyChart
{
    public const string P50Class = "bar p50";
    public const string P99Class = "bar p99";
    private const string P50Colour = "#0969da";
    private const string P99Colour = "#d4752b";

    private const double Top = 84;
    private const double GroupHeading = 26;
    private const double RowHeight = 30;
    private const double BarHeight = 11;
    private const double ValueLabelRoom = 150;

    public static string Draw(PacedResults results)
    {
        var drawn = results.Clients.Where(c => c.ThreadPoolSpinning).ToList();
        var rates = drawn.Select(c => c.Rate).Distinct().Order().ToList();
        var labelRoom = 28 + drawn.Select(c => SvgChart.TextWidth(c.Label, 12)).DefaultIfEmpty(100).Max();
        var width = Math.Max(900, labelRoom + 480 + ValueLabelRoom);
        var bottom = Top + (rates.Count * GroupHeading) + (drawn.Count * RowHeight);
        var chart = new SvgChart(width, bottom + 112, "Latency at paced rates: server's stamp to the app's loop body");
        chart.Text(16, 48, SvgChart.Invariant($"{results.Seconds} s per run, {results.Rounds} {(results.Rounds == 1 ? "round" : "alternated rounds")}, each client in a fresh process, the runtime's default thread pool · medians of the rounds"), 12, fill: SvgChart.Muted);
        var legend = chart.LegendEntry(16, 70, P50Colour, "p50");
        chart.LegendEntry(legend, 70, P99Colour, "p99 (lower is better)");

        var scale = ChartScale.Logarithmic(
            drawn.Select(c => c.LatencyP50Us).Where(v => v > 0).DefaultIfEmpty(1).Min(),
            drawn.Select(c => c.LatencyP99Us).DefaultIfEmpty(1).Max(),
            labelRoom,
            width - ValueLabelRoom);
        chart.ValueAxis(scale, Top, bottom, SvgChart.Duration, "latency, logarithmic scale");

        var y = Top;
        foreach (var rate in rates)
        {
            chart.Text(16, y + 18, SvgChart.Invariant($"{rate:N0} events/s"), 12.5, bold: true);
            y += GroupHeading;
            foreach (var client in drawn.Where(c => c.Rate == rate))
            {
                var top = y + ((RowHeight - (2 * BarHeight) - 2) / 2);
                chart.Text(labelRoom - 10, y + (RowHeight / 2) + 4, client.Label, 12, "end");
                Bar(chart, scale, top, client.LatencyP50Us, P50Colour, P50Class, client, "p50");
                Bar(chart, scale, top + BarHeight + 2, client.LatencyP99Us, P99Colour, P99Class, client, "p99");
                y += RowHeight;
            }
        }

        chart.Footnote(results.Run.Describe());
        return chart.ToString();
    }

    private static void Bar(SvgChart chart, ChartScale scale, double top, double microseconds, string colour, string cssClass, PacedClient client, string percentile)
    {
        var end = scale.At(microseconds);
        chart.Rect(scale.Left, top, end - scale.Left, BarHeight, colour, cssClass, client.Kind,
            SvgChart.Invariant($"{client.Label} at {client.Rate:N0}/s: {percentile} {SvgChart.Duration(microseconds)}"));
        chart.Text(end + 6, top + BarHeight - 1.5, $"{percentile} {SvgChart.Duration(microseconds)}", 10.5, fill: SvgChart.Muted);
    }
}
