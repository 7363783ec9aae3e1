namespace Gateway.Client.Benchmarks.Charts;

/// <summary>
/// Maps values onto a horizontal span of pixels, with the ticks to label: linear from zero to a round number at or above
/// the largest value, or logarithmic over whole decades (for latencies that span several).
/// </summary>
internal sealed class ChartScale
{
    private readonly Func<double, double> _fraction;

    private ChartScale(double left, double right, double min, double max, IReadOnlyList<double> ticks, Func<double, double> fraction)
    {
        Left = left;
        Right = right;
        Min = min;
        Max = max;
        Ticks = ticks;
        _fraction = fraction;
    }

    public double Left { get; }

    public double Right { get; }

    /// <summary>The value at <see cref="Left"/>: zero for a linear scale, a power of ten for a logarithmic one.</summary>
    public double Min { get; }

    public double Max { get; }

    public IReadOnlyList<double> Ticks { get; }

    /// <summary>From zero to a round number at or above <paramref name="largest"/>, with five to nine ticks.</summary>
    public static ChartScale Linear(double largest, double left, double right)
    {
        var top = largest > 0 && double.IsFinite(largest) ? largest : 0;
        var step = RoundStep(top > 0 ? top / 8 : 0.2);
        var max = Math.Ceiling(top / step) * step;
        if (max <= 0)
        {
            max = step * 5;
        }

        var ticks = Enumerable.Range(0, (int)Math.Round(max / step) + 1).Select(i => i * step).ToArray();
        return new ChartScale(left, right, 0, max, ticks, value => value / max);
    }

    /// <summary>
    /// Whole decades from the one holding <paramref name="smallest"/> to the one above <paramref name="largest"/>; a
    /// decade lower when the smallest is near its decade's start, so its bar shows.
    /// </summary>
    public static ChartScale Logarithmic(double smallest, double largest, double left, double right)
    {
        var low = Math.Floor(Math.Log10(smallest > 0 ? smallest / 2 : 1));
        var high = Math.Max(low + 1, Math.Ceiling(Math.Log10(largest > 0 ? largest : 10)));
        var ticks = Enumerable.Range(0, (int)(high - low) + 1).Select(i => Math.Pow(10, low + i)).ToArray();
        return new ChartScale(left, right, ticks[0], ticks[^1], ticks, value => (Math.Log10(Math.Max(value, ticks[0])) - low) / (high - low));
    }

    /// <summary>The pixel for <paramref name="value"/>, held inside the span (a negative or off-scale value sits at its edge).</summary>
    public double At(double value) => Left + (Math.Clamp(_fraction(value), 0, 1) * (Right - Left));

    /// <summary>1, 2 or 5 times a power of ten: the round step nearest above <paramref name="rough"/>.</summary>
    private static double RoundStep(double rough)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        return new[] { 1, 2, 5, 10 }.Select(m => m * power).First(step => step >= rough * 0.999);
    }
}
