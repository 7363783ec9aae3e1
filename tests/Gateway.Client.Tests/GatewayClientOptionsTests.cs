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
        { "AnnouncedCapabilities", o => o.AnnouncedCapabilities = new List<string> { "streaming", "" } },
        { "MinProtocol", o => o.MinProtocol = 0 },
        { "MinProtocol", o => o.MaxProtocol = 3 },
        { "MinProtocol", o => { o.MinProtocol = 2; o.MaxProtocol = 1; } },
        { "HandshakeTimeout", o => o.HandshakeTimeout = TimeSpan.Zero },
        { "RequestTimeout", o => o.RequestTimeout = TimeSpan.FromSeconds(-1) },
        { "CloseTimeout", o => o.CloseTimeout = TimeSpan.Zero },
        { "EventBufferCapacity", o => o.EventBufferCapacity = 0 },
        { "MaxReceiveMessageBytes", o => o.MaxReceiveMessageBytes = 100 },
        { "TimeProvider", o => o.TimeProvider = null! },
        { "ResumeFrom", o => { o.Dialect = ProtocolDialect.OpenClaw; o.ResumeFrom = new GatewayResumePoint("s", null, 1); } },
        { "ResumeFrom", o => { o.Dialect = ProtocolDialect.Praxis; o.ResumeFrom = new GatewayResumePoint("s", null, 1); } },
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
        Assert.Null(options.AnnouncedCapabilities); // the dialect's default (PraisonAI: streaming; HandshakeTests checks what hello says)
        Assert.True(options.AllowLegacyHandshake);
        Assert.Equal(TimeSpan.FromSeconds(10), options.HandshakeTimeout);
        Assert.Equal(1024, options.EventBufferCapacity);
        Assert.Equal(4 * 1024 * 1024, options.MaxReceiveMessageBytes);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.CloseTimeout);
        Assert.Same(TimeProvider.System, options.TimeProvider);
        Assert.Equal(TokenPlacement.QueryString, options.TokenPlacement);
        Assert.Null(options.ResumeFrom);
    }

    [Fact]
    public void A_resume_point_is_copied_with_the_options_and_shown_by_ToString()
    {
        var options = Valid();
        var point = new GatewayResumePoint("sess-1", "epoch-3", 41);
        options.ResumeFrom = point;

        var copy = options.Clone();
        options.ResumeFrom = null;

        Assert.Same(point, copy.ResumeFrom);
        Assert.Contains($"ResumeFrom = {point}", copy.ToString());
        Assert.DoesNotContain("ResumeFrom", options.ToString());
    }

    [Fact]
    public void A_resume_point_for_a_dialect_that_cannot_resume_says_why()
    {
        var options = new GatewayClientOptions { Url = new Uri("ws://127.0.0.1:18789"), Dialect = ProtocolDialect.OpenClaw, ResumeFrom = new GatewayResumePoint("s", null, 1) };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal("GatewayClientOptions.ResumeFrom cannot be used with the openclaw dialect: it cannot resume a stream, so its events have no resume point. (Parameter 'ResumeFrom')", error.Message);
    }

    [Fact]
    public void The_client_keeps_its_own_copy_so_later_changes_do_not_reach_it()
    {
        var options = Valid();
        var original = options.Url;
        options.AnnouncedCapabilities = new List<string> { "streaming" };
        var client = new GatewayClient(options);

        options.Url = new Uri("ws://10.0.0.1/elsewhere");
        options.AnnouncedCapabilities.Add("mutated");
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
