using Gateway.Client.Engine;

namespace Gateway.Client.Tests;

public class BackoffTests
{
    private static Backoff Create(double random, double jitter = 0.2, double multiplier = 2, int initialMs = 1000, int maxMs = 30_000) =>
        new(new ReconnectOptions
        {
            InitialDelay = TimeSpan.FromMilliseconds(initialMs),
            MaxDelay = TimeSpan.FromMilliseconds(maxMs),
            Multiplier = multiplier,
            Jitter = jitter,
        }, () => random);

    [Theory]
    [InlineData(2, 1000)]
    [InlineData(3, 2000)]
    [InlineData(4, 4000)]
    [InlineData(5, 8000)]
    [InlineData(6, 16000)]
    [InlineData(7, 30000)]
    [InlineData(50, 30000)]
    [InlineData(5000, 30000)]
    public void Without_jitter_the_base_grows_exponentially_and_is_capped(int attempt, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Create(0.5, jitter: 0).BeforeAttempt(attempt, null));
    }

    [Theory]
    [InlineData(0.0, 800)]
    [InlineData(0.5, 1000)]
    [InlineData(0.75, 1100)]
    [InlineData(0.9999999, 1199.99996)]
    public void Jitter_spreads_each_delay_over_plus_minus_the_jitter(double random, double expectedMs)
    {
        Assert.Equal(expectedMs, Create(random).BeforeAttempt(2, null).TotalMilliseconds, precision: 3);
    }

    [Fact]
    public void At_the_cap_the_jitter_still_spreads_instead_of_clamping_to_the_cap()
    {
        var low = Create(0.0).BeforeAttempt(20, null);
        var high = Create(0.9999999).BeforeAttempt(20, null);

        Assert.Equal(TimeSpan.FromSeconds(24), low);
        Assert.True(high > TimeSpan.FromSeconds(35.9) && high < TimeSpan.FromSeconds(36), $"high was {high}");
    }

    [Fact]
    public void Every_delay_stays_within_its_bounds_for_any_random_value()
    {
        var random = new Random(1234);
        for (var i = 0; i < 10_000; i++)
        {
            var r = random.NextDouble();
            var attempt = random.Next(2, 40);
            var delay = Create(r).BeforeAttempt(attempt, null);
            var baseMs = Math.Min(30_000, 1000 * Math.Pow(2, attempt - 2));

            Assert.InRange(delay.TotalMilliseconds, (baseMs * 0.8) - 0.001, baseMs * 1.2);
        }
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.25, 250)]
    [InlineData(0.9999999, 999.9999)]
    public void The_first_attempt_after_a_drop_is_spread_over_zero_to_the_initial_delay(double random, double expectedMs)
    {
        Assert.Equal(expectedMs, Create(random).FirstAfterDrop(null).TotalMilliseconds, precision: 3);
    }

    [Fact]
    public void Retry_after_is_a_floor_and_never_lowers_a_longer_delay()
    {
        var backoff = Create(0.5);

        Assert.Equal(TimeSpan.FromSeconds(42), backoff.BeforeAttempt(2, TimeSpan.FromSeconds(42)));
        Assert.Equal(TimeSpan.FromSeconds(42), backoff.FirstAfterDrop(TimeSpan.FromSeconds(42)));
        Assert.Equal(TimeSpan.FromSeconds(16), backoff.BeforeAttempt(6, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void A_misbehaving_random_source_cannot_escape_the_bounds()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(800), Create(-5).BeforeAttempt(2, null));
        Assert.True(Create(7).BeforeAttempt(2, null) < TimeSpan.FromMilliseconds(1200));
        Assert.Equal(TimeSpan.FromMilliseconds(800), Create(double.NaN).BeforeAttempt(2, null));
    }

    [Fact]
    public void Attempt_numbers_below_two_are_a_bug()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(0.5).BeforeAttempt(1, null));
    }
}
