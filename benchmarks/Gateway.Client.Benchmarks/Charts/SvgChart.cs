using System.Globalization;
using System.Text;

namespace Gateway.Client.Benchmarks.Charts;

/// <summary>
/// An SVG drawing written as plain text. GitHub shows a Markdown image as an <c>img</c>, which takes none of the page's
/// colours: a white background under everything and explicit colours keep it readable in the light and dark themes.
/// Bars and marks carry a <c>class</c> (and the client's kind) so tests can find them.
/// </summary>
internal sealed class SvgChart
{
    public const string Ink = "#1f2328";
    public const string Muted = "#59636e";
    public const string Grid = "#d1d9e0";
    private const string Font = "Helvetica, Arial, sans-serif";

    private readonly StringBuilder _svg = new();

    public SvgChart(double width, double height, string title)
    {
        Width = width;
        Height = height;
        _svg.Append(Invariant($"""<svg xmlns="http://www.w3.org/2000/svg" width="{width:0.##}" height="{height:0.##}" viewBox="0 0 {width:0.##} {height:0.##}" font-family="{Font}">""")).Append('\n');
        _svg.Append("<title>").Append(Escape(title)).Append("</title>\n");
        Rect(0, 0, width, height, "#ffffff", "background");
        Text(16, 28, title, 17, bold: true);
    }

    public double Width { get; }

    public double Height { get; }

    /// <param name="tooltip">Shown when the pointer rests on the shape: the exact figure.</param>
    public void Rect(double x, double y, double width, double height, string fill, string cssClass, string? kind = null, string? tooltip = null)
    {
        _svg.Append(Invariant($"""<rect class="{cssClass}" x="{x:0.##}" y="{y:0.##}" width="{Math.Max(0, width):0.##}" height="{height:0.##}" fill="{fill}"{Kind(kind)}"""));
        _svg.Append(tooltip is null ? "/>\n" : $"><title>{Escape(tooltip)}</title></rect>\n");
    }

    /// <param name="dash">An SVG <c>stroke-dasharray</c>, such as "6 4"; null for a solid line.</param>
    public void Line(double x1, double y1, double x2, double y2, string stroke, string cssClass, double strokeWidth = 1, string? dash = null, string? kind = null)
    {
        var dashed = dash is null ? "" : $" stroke-dasharray=\"{dash}\"";
        _svg.Append(Invariant($"""<line class="{cssClass}" x1="{x1:0.##}" y1="{y1:0.##}" x2="{x2:0.##}" y2="{y2:0.##}" stroke="{stroke}" stroke-width="{strokeWidth:0.##}"{dashed}{Kind(kind)}/>""")).Append('\n');
    }

    /// <param name="anchor">"start", "middle" or "end": which end of the text sits at <paramref name="x"/>.</param>
    public void Text(double x, double y, string text, double size = 12, string anchor = "start", string fill = Ink, bool bold = false)
    {
        var weight = bold ? " font-weight=\"bold\"" : "";
        _svg.Append(Invariant($"""<text x="{x:0.##}" y="{y:0.##}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{weight}>""")).Append(Escape(text)).Append("</text>\n");
    }

    /// <summary>A coloured square and its label; returns the x after it, for the next entry.</summary>
    public double LegendEntry(double x, double y, string fill, string label)
    {
        Rect(x, y - 10, 12, 12, fill, "legend");
        Text(x + 17, y, label, 12);
        return x + 17 + TextWidth(label, 12) + 18;
    }

    /// <summary>The value axis under a plot: grid lines at the ticks, their labels, and what the axis measures.</summary>
    public void ValueAxis(ChartScale scale, double top, double bottom, Func<double, string> tickLabel, string axisLabel)
    {
        foreach (var tick in scale.Ticks)
        {
            var x = scale.At(tick);
            Line(x, top, x, bottom, Grid, "grid");
            Text(x, bottom + 16, tickLabel(tick), 11, "middle", Muted);
        }

        Line(scale.Left, bottom, scale.Right, bottom, Muted, "axis");
        Text((scale.Left + scale.Right) / 2, bottom + 34, axisLabel, 12, "middle");
    }

    /// <summary>Small grey lines at the bottom: when, where and how the figures were made.</summary>
    public void Footnote(IReadOnlyList<string> lines)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            Text(16, Height - 12 - ((lines.Count - 1 - i) * 15), lines[i], 10.5, fill: Muted);
        }
    }

    public override string ToString() => _svg + "</svg>\n";

    /// <summary>A generous estimate of a sans-serif text's width, for laying out labels without measuring fonts.</summary>
    public static double TextWidth(string text, double size) => text.Length * size * 0.56;

    /// <summary>A figure in few characters: 1,234 as "1.2k", 2,500,000 as "2.5M".</summary>
    public static string Compact(double value) => Math.Abs(value) switch
    {
        >= 1e6 => Invariant($"{value / 1e6:0.##}M"),
        >= 1e3 => Invariant($"{value / 1e3:0.##}k"),
        _ => Invariant($"{value:0.##}"),
    };

    /// <summary>Microseconds in the unit that reads best: "850 µs", "1.2 ms", "1.5 s".</summary>
    public static string Duration(double microseconds) => microseconds switch
    {
        >= 1e6 => Invariant($"{microseconds / 1e6:0.##} s"),
        >= 1e3 => Invariant($"{microseconds / 1e3:0.##} ms"),
        _ => Invariant($"{microseconds:0.#} µs"),
    };

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Kind(string? kind) => kind is null ? "" : $" data-kind=\"{Escape(kind)}\"";

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
}
