namespace Gateway.Client.Tests;

public class GatewayClientOptionsTests
{
    private static GatewayClientOptions Valid() => new() { Url = new Uri("ws://127.0.0.1:8765/ws"), AgentId = "support" };

    public static TheoryData<string, Action<GatewayClientOptions>> InvalidOptions => new()
    {
        { "Url", o => o.Url = null },
        { "Url", o => o.Url = new Uri("http://127.0.0.1/ws") },
        { "Url", o => o.Url = new Uri("/ws", UriKind.Relative) },
        { "AgentId", o => o.AgentId = null },
        { "AgentId", o => o.AgentId = "  " },
        { "TokenPlacement", o => o.TokenPlacement = (TokenPlacement)42 },
        { "Capabilities", o => o.Capabilities = new List<string> { "streaming", "" } },
        { "MinProtocol", o => o.MinProtocol = 0 },
        { "MinProtocol", o => o.MaxProtocol = 3 },
        { "MinProtocol", o => { o.MinProtocol = 2; o.MaxProtocol = 1; } },
        { "HandshakeTimeout", o => o.HandshakeTimeout = TimeSpan.Zero },
        { "RequestTimeout", o => o.RequestTimeout = TimeSpan.FromSeconds(-1) },
        { "CloseTimeout", o => o.CloseTimeout = TimeSpan.Zero },
        { "EventBufferCapacity", o => o.EventBufferCapacity = 0 },
        { "MaxReceiveMessageBytes", o => o.MaxReceiveMessageBytes = 100 },
        { "TimeProvider", o => o.TimeProvider = null! },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_are_rejected_at_construction_naming_the_option(string option, Action<GatewayClientOptions> spoil)
    {
        var options = Valid();
        spoil(options);

        var error = Assert.ThrowsAny<ArgumentException>(() => new GatewayClient(options));

        Assert.Equal(option, error.ParamName);
        Assert.Contains("GatewayClientOptions." + option, error.Message);
    }

    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var options = new GatewayClientOptions();

        Assert.Equal(1, options.MinProtocol);
        Assert.Equal(2, options.MaxProtocol);
        Assert.Equal(new[] { "streaming" }, options.Capabilities);
        Assert.True(options.AllowLegacyHandshake);
        Assert.Equal(TimeSpan.FromSeconds(10), options.HandshakeTimeout);
        Assert.Equal(1024, options.EventBufferCapacity);
        Assert.Equal(4 * 1024 * 1024, options.MaxReceiveMessageBytes);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.CloseTimeout);
        Assert.Same(TimeProvider.System, options.TimeProvider);
        Assert.Equal(TokenPlacement.QueryString, options.TokenPlacement);
    }

    [Fact]
    public void The_client_keeps_its_own_copy_so_later_changes_do_not_reach_it()
    {
        var options = Valid();
        var original = options.Url;
        var client = new GatewayClient(options);

        options.Url = new Uri("ws://10.0.0.1/elsewhere");
        options.Capabilities.Add("mutated");
        options.AgentId = "other";

        Assert.Contains(original!.Authority, client.ToString());
        Assert.DoesNotContain("10.0.0.1", client.ToString());
    }

    [Fact]
    public void ToString_never_shows_the_query_string()
    {
        var options = Valid();
        options.Url = new Uri("ws://127.0.0.1:8765/ws?token=super-secret-value");

        Assert.DoesNotContain("super-secret-value", options.ToString());
        Assert.DoesNotContain("super-secret-value", new GatewayClient(options).ToString());
    }
}
