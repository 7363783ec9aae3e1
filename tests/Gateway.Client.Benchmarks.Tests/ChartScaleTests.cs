using Gateway.Client.Benchmarks.Charts;

namespace Gateway.Client.Benchmarks.Tests;

public class ChartScaleTests
{
    [Theory]
    [InlineData(1_225_772, 1_400_000, 200_000)]
    [InlineData(422_051, 500_000, 100_000)]
    [InlineData(20.8, 25, 5)]
    [InlineData(0, 1, 0.2)]
    public void A_linear_scale_runs_from_zero_to_a_round_number_in_round_steps(double largest, double max, double step)
    {
        var scale = ChartScale.Linear(largest, 100, 600);

        Assert.Equal(0, scale.Min);
        Assert.Equal(max, scale.Max, 6);
        Assert.All(scale.Ticks.Zip(scale.Ticks.Skip(1)), pair => Assert.Equal(step, pair.Second - pair.First, 6));
        Assert.Equal(100, scale.At(0));
        Assert.Equal(600, scale.At(max), 6);
        Assert.Equal(100 + (500 * largest / max), scale.At(largest), 6);
    }

    [Fact]
    public void A_logarithmic_scale_spans_whole_decades_equally()
    {
        var scale = ChartScale.Logarithmic(250, 8_000, 0, 300);

        Assert.Equal([100, 1_000, 10_000], scale.Ticks);
        Assert.Equal(0, scale.At(100));
        Assert.Equal(150, scale.At(1_000), 6);
        Assert.Equal(300, scale.At(10_000), 6);
    }

    [Fact]
    public void A_logarithmic_scale_starts_a_decade_lower_when_the_smallest_value_would_have_no_bar()
    {
        var scale = ChartScale.Logarithmic(100, 8_000, 0, 300);

        Assert.Equal([10, 100, 1_000, 10_000], scale.Ticks);
        Assert.Equal(100, scale.At(100), 6);
    }

    [Fact]
    public void A_value_off_the_scale_sits_at_its_edge()
    {
        var scale = ChartScale.Linear(100, 10, 110);

        Assert.Equal(10, scale.At(-5));
        Assert.Equal(110, scale.At(1_000));
    }
}
