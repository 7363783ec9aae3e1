using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>What every dialect must do, run for each one in the catalog (and its TestGateway mode).</summary>
public class DialectContractTests
{
    [Fact]
    public void Every_dialect_has_a_test_gateway_mode_of_the_same_name()
    {
        var modes = TestDialectCatalog.Entries.Select(e => e.Value.ToString()).ToHashSet();
        Assert.All(Enum.GetNames<ProtocolDialect>(), name => Assert.Contains(name, modes));
        Assert.Equal(Enum.GetValues<TestGatewayDialect>().Order(), TestDialectCatalog.Entries.Select(e => e.Value).Order());
    }
}
