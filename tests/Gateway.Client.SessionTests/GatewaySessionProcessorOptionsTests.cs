using Gateway.Client.Sessions;

namespace Gateway.Client.SessionTests;

public class GatewaySessionProcessorOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_owner_ids_are_unique_per_instance()
    {
        var options = new GatewaySessionProcessorOptions();

        options.Validate();
        Assert.Equal(TimeSpan.FromSeconds(30), options.LeaseDuration);
        Assert.Equal(1, options.CheckpointEvery);
        Assert.Equal(1, options.ClaimsPerCycle);
        Assert.Null(options.CheckpointInterval);
        Assert.NotEqual(options.OwnerId, new GatewaySessionProcessorOptions().OwnerId);
    }

    [Fact]
    public void Out_of_range_values_are_refused_where_they_are_set()
    {
        var options = new GatewaySessionProcessorOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.LeaseDuration = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.RenewInterval = TimeSpan.FromSeconds(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.BalanceInterval = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.CheckpointEvery = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.ClaimsPerCycle = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.CheckpointInterval = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.ClosingTimeout = TimeSpan.Zero);
        Assert.ThrowsAny<ArgumentException>(() => options.OwnerId = " ");
        Assert.Throws<ArgumentNullException>(() => options.TimeProvider = null!);
        options.CheckpointInterval = null;
    }

    [Fact]
    public void A_renew_interval_of_half_the_lease_or_more_is_refused_by_validate()
    {
        var options = new GatewaySessionProcessorOptions { LeaseDuration = TimeSpan.FromSeconds(20), RenewInterval = TimeSpan.FromSeconds(10) };

        Assert.Throws<InvalidOperationException>(options.Validate);
        options.RenewInterval = TimeSpan.FromSeconds(9);
        options.Validate();
    }

    [Fact]
    public void Clone_is_independent()
    {
        var options = new GatewaySessionProcessorOptions { OwnerId = "a", CheckpointEvery = 5 };

        var copy = options.Clone();
        options.CheckpointEvery = 7;

        Assert.Equal("a", copy.OwnerId);
        Assert.Equal(5, copy.CheckpointEvery);
    }

    [Fact]
    public void A_definition_needs_a_key_and_a_way_to_build_options()
    {
        Assert.ThrowsAny<ArgumentException>(() => new GatewaySessionDefinition(" ", (_, _) => new GatewayClientOptions()));
        Assert.Throws<ArgumentNullException>(() => new GatewaySessionDefinition("k", null!));
        var definition = new GatewaySessionDefinition("orders-1", (d, from) => new GatewayClientOptions { ResumeFrom = from });
        var from = new GatewayResumePoint("sess", "e", 3);

        Assert.Same(from, definition.CreateOptions(definition, from).ResumeFrom);
        Assert.Equal("orders-1", definition.ToString());
    }
}
