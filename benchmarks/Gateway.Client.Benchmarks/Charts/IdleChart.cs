namespace Gateway.Client.Benchmarks.Charts;

/// <summary>
/// The idle footprint: for each kind of idle connection, the memory one costs (managed heap and working set, per
/// client) and the CPU one costs while nothing arrives (microseconds per second, per client).
/// </summary>
internal static class IdleChart
{
    public const string HeapClass = "bar heap";
    public const string WorkingSetClass = "bar working-set";
    public const string CpuClass = "bar cpu";
    private const string HeapColour = "#0969da";
    private const string WorkingSetColour = "#54aeff";
    private const string CpuColour = "#d4752b";

    private const double Top = 84;
    private const double RowHeight = 30;
    private const double BarHeight = 11;
    private const double ValueLabelRoom = 200;
    private const double PanelGap = 78;

    public static string Draw(ScaleResults results)
    {
        var idle = results.Idle;
        var labelRoom = 28 + idle.Select(c => SvgChart.TextWidth(c.Label, 12)).DefaultIfEmpty(100).Max();
        var width = Math.Max(900, labelRoom + 420 + ValueLabelRoom);
        var memoryBottom = Top + (idle.Count * RowHeight);
        var cpuTop = memoryBottom + PanelGap;
        var cpuBottom = cpuTop + (idle.Count * RowHeight);
        var chart = new SvgChart(width, cpuBottom + 112, SvgChart.Invariant($"Idle footprint: {results.Clients:N0} connected clients that receive nothing"));
        chart.Text(16, 48, SvgChart.Invariant($"Each kind measured from the same settled baseline in one process; CPU over {results.IdleSeconds} s of idling after 5 s to settle"), 12, fill: SvgChart.Muted);
        chart.Text(16, 70, "Memory", 12.5, bold: true);
        var legend = chart.LegendEntry(90, 70, HeapColour, "managed heap");
        chart.LegendEntry(legend, 70, WorkingSetColour, "working set");

        var memory = ChartScale.Linear(idle.Select(c => Math.Max(c.HeapBytesPerClient, c.WorkingSetBytesPerClient) / 1024).DefaultIfEmpty(0).Max(), labelRoom, width - ValueLabelRoom);
        chart.ValueAxis(memory, Top, memoryBottom, v => SvgChart.Invariant($"{v:0.#}"), "KiB per idle client (lower is better)");
        for (var i = 0; i < idle.Count; i++)
        {
            var client = idle[i];
            var y = Top + (i * RowHeight);
            var top = y + ((RowHeight - (2 * BarHeight) - 2) / 2);
            chart.Text(labelRoom - 10, y + (RowHeight / 2) + 4, client.Label, 12, "end");
            Bar(chart, memory, top, client.HeapBytesPerClient / 1024, HeapColour, HeapClass, client, "managed heap", SvgChart.Invariant($"{client.HeapBytesPerClient / 1024:0.0} KiB"));
            Bar(chart, memory, top + BarHeight + 2, client.WorkingSetBytesPerClient / 1024, WorkingSetColour, WorkingSetClass, client, "working set", SvgChart.Invariant($"{client.WorkingSetBytesPerClient / 1024:0.0} KiB"));
        }

        chart.Text(16, cpuTop - 12, "Idle CPU", 12.5, bold: true);
        var cpu = ChartScale.Linear(idle.Select(Cpu).DefaultIfEmpty(0).Max(), labelRoom, width - ValueLabelRoom);
        chart.ValueAxis(cpu, cpuTop, cpuBottom, v => SvgChart.Invariant($"{v:0.##}"), "CPU µs per second, per idle client (lower is better)");
        for (var i = 0; i < idle.Count; i++)
        {
            var client = idle[i];
            var y = cpuTop + (i * RowHeight);
            chart.Text(labelRoom - 10, y + (RowHeight / 2) + 4, client.Label, 12, "end");
            Bar(chart, cpu, y + ((RowHeight - 16) / 2), Cpu(client), CpuColour, CpuClass, client, "idle CPU", SvgChart.Invariant($"{Cpu(client):0.00} µs/s ({client.IdleCpuMilliseconds:0.#} ms in all)"), 16);
        }

        chart.Footnote(results.Run.Describe());
        return chart.ToString();

        double Cpu(IdleClient client) => client.IdleCpuMicrosecondsPerClientPerSecond(results.Clients, results.IdleSeconds);
    }

    /// <summary>A bar from zero; a negative figure (the working set can shrink) draws none, and its label says so.</summary>
    private static void Bar(SvgChart chart, ChartScale scale, double top, double value, string colour, string cssClass, IdleClient client, string what, string figure, double height = BarHeight)
    {
        var end = scale.At(value);
        chart.Rect(scale.Left, top, end - scale.Left, height, colour, cssClass, client.Kind, $"{client.Label}: {what} {figure}");
        chart.Text(end + 6, top + height - 1.5, $"{what} {figure}", 10.5, fill: SvgChart.Muted);
    }
}
