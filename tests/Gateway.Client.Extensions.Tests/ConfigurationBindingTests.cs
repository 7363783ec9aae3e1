using System.Reflection;
using Gateway.Client.OpenClaw;
using Gateway.Client.Praxis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Client.Extensions.Tests;

/// <summary>
/// AddGatewayClient(section): options bound by the source-generated binder, where a key that is no option (at the top,
/// under Reconnect or under a dialect's section), a dialect name or a value that does not parse fails at start-up
/// naming the key; the keys the generated binder cannot bind (Token, Dialect by name, lists, code-only options) too.
/// </summary>
public class ConfigurationBindingTests
{
    /// <summary>Options that hold code (delegates, a clock, a meter factory): configuration cannot set them.</summary>
    public static readonly string[] CodeOnlyOptions =
    {
        nameof(GatewayClientOptions.TokenProvider),
        nameof(GatewayClientOptions.TimeProvider),
        nameof(GatewayClientOptions.MeterFactory),
        nameof(GatewayClientOptions.TypeInfoResolver),
        nameof(GatewayClientOptions.ConfigureWebSocket),
        nameof(GatewayClientOptions.RemoteCertificateValidationCallback),
    };

    /// <summary>Each dialect with settings, by the section they are read from.</summary>
    private static readonly Dictionary<string, Type> DialectSections = new()
    {
        [nameof(ProtocolDialect.OpenClaw)] = typeof(OpenClawOptions),
        [nameof(ProtocolDialect.Praxis)] = typeof(PraxisOptions),
    };

    /// <summary>Binds <paramref name="settings"/> (with a URL and an agent id unless given, so that the options validate).</summary>
    private static GatewayClientOptions Bind(Dictionary<string, string?> settings)
    {
        var all = new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase);
        all.TryAdd("Gateway:Url", "ws://127.0.0.1:1/ws");
        all.TryAdd("Gateway:AgentId", "support");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        var services = new ServiceCollection();
        services.AddGatewayClient(configuration.GetSection("Gateway"));
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<GatewayClientOptions>>().Get(Options.DefaultName);
    }

    private static InvalidOperationException BindFails(Dictionary<string, string?> settings) =>
        Assert.Throws<InvalidOperationException>(() => Bind(settings));

    private static Dictionary<string, string?> Setting(string key, string? value) => new() { [key] = value };

    [Theory]
    [InlineData("Gateway:Typo", "'Gateway'", "'Typo'")]
    [InlineData("Gateway:AgentID2", "'Gateway'", "'AgentID2'")]
    [InlineData("Gateway:Reconnect:Typo", "'Gateway:Reconnect'", "'Typo'")]
    [InlineData("Gateway:OpenClaw:Typo", "'Gateway:OpenClaw'", "'Typo'")]
    [InlineData("Gateway:Praxis:Typo", "'Gateway:Praxis'", "'Typo'")]
    [InlineData("Gateway:OpenClow:ClientId", "'Gateway'", "'OpenClow'")] // a misspelled dialect section
    [InlineData("Gateway:PraisonAI:ClientId", "'Gateway'", "'PraisonAI'")] // a dialect without settings has no section
    public void A_key_that_is_no_option_fails_naming_the_key_and_its_section(string key, string section, string name)
    {
        var error = BindFails(Setting(key, "x"));

        Assert.Contains(section, error.Message);
        Assert.Contains(name, error.Message);
        Assert.Contains("not an option", error.Message);
    }

    [Fact]
    public void The_generated_binder_checks_keys_and_is_told_to()
    {
        // The unknown-key error is the generated binder's own (ErrorOnUnknownConfiguration), kept inside ours.
        var error = BindFails(Setting("Gateway:Reconnect:MaxDelai", "00:00:30"));

        Assert.Equal(
            "Configuration section 'Gateway:Reconnect' has a key that is not an option (misspelled?): " +
            "'ErrorOnUnknownConfiguration' was set on the provided BinderOptions, but the following properties were not found on the instance of Gateway.Client.ReconnectOptions: 'MaxDelai'",
            error.Message);
        Assert.Contains("ErrorOnUnknownConfiguration", Assert.IsType<InvalidOperationException>(error.InnerException).Message);
    }

    [Fact]
    public async Task An_unknown_key_stops_the_host_at_start_up()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:Url"] = "ws://127.0.0.1:1/ws", ["Gateway:AgentId"] = "support", ["Gateway:Reconect:MaxDelay"] = "00:00:30" });
        builder.Services.AddGatewayClient("orders", builder.Configuration.GetSection("Gateway"));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token));

        Assert.Contains("'Reconect'", error.Message);
    }

    [Theory]
    [InlineData("Gateway:Reconnect:MaxDelay", "soon", "System.TimeSpan")]
    [InlineData("Gateway:EventBufferCapacity", "lots", "System.Int32")]
    [InlineData("Gateway:Backpressure", "Drop", "Gateway.Client.BackpressureMode")]
    [InlineData("Gateway:OpenClaw:MinProtocol", "four", "System.Int32")]
    public void A_value_that_does_not_convert_names_its_full_key(string key, string value, string type)
    {
        var error = BindFails(Setting(key, value));

        Assert.Equal($"Failed to convert configuration value at '{key}' to type '{type}'.", error.Message);
        Assert.NotNull(error.InnerException);
    }

    [Theory]
    [InlineData("praisonai", ProtocolDialect.PraisonAI)]
    [InlineData("PraisonAI", ProtocolDialect.PraisonAI)]
    [InlineData("openclaw", ProtocolDialect.OpenClaw)]
    [InlineData("OPENCLAW", ProtocolDialect.OpenClaw)]
    [InlineData(" Praxis ", ProtocolDialect.Praxis)]
    public void The_dialect_binds_from_its_name_in_any_case(string name, ProtocolDialect expected) =>
        Assert.Equal(expected, Bind(Setting("Gateway:Dialect", name)).Dialect);

    [Theory]
    [InlineData("openclow")]
    [InlineData("Gateway")] // the PraisonAI dialect's name before 1.0
    [InlineData("1")] // a name, not the enum's number
    public void A_misspelled_dialect_fails_naming_the_key_and_the_names(string name)
    {
        var error = BindFails(Setting("Gateway:Dialect", name));

        Assert.Equal($"Configuration value 'Gateway:Dialect' = '{name}' is not valid: expected one of praisonai, openclaw, praxis.", error.Message);
    }

    [Theory]
    [MemberData(nameof(CodeOnly))]
    public void An_option_that_holds_code_is_refused_by_name_not_as_an_unknown_key(string option)
    {
        var error = BindFails(Setting("Gateway:" + option, "x"));

        Assert.Contains($"'Gateway:{option}'", error.Message);
        Assert.Contains("cannot be set from configuration", error.Message);
        Assert.DoesNotContain("not an option", error.Message);
    }

    public static TheoryData<string> CodeOnly()
    {
        var data = new TheoryData<string>();
        foreach (var option in CodeOnlyOptions)
        {
            data.Add(option);
        }

        return data;
    }

    [Fact]
    public void A_nested_code_only_key_is_refused_too()
    {
        var error = BindFails(Setting("Gateway:TimeProvider:LocalTimeZone:Id", "UTC"));

        Assert.Contains("'Gateway:TimeProvider'", error.Message);
        Assert.Contains("cannot be set from configuration", error.Message);
    }

    [Fact]
    public void A_list_replaces_its_default_as_an_array_or_as_one_comma_separated_value()
    {
        var array = Bind(new()
        {
            ["Gateway:AnnouncedCapabilities:0"] = "tools",
            ["Gateway:OpenClaw:Scopes:0"] = "operator.admin",
            ["Gateway:Praxis:EventTypes:0"] = "task.started",
        });
        var joined = Bind(new()
        {
            ["Gateway:AnnouncedCapabilities"] = "streaming, tools",
            ["Gateway:OpenClaw:Scopes"] = "operator.read,operator.admin",
            ["Gateway:Praxis:EventTypes"] = " task.started , task.failed ",
        });
        var empty = Bind(new() { ["Gateway:AnnouncedCapabilities"] = "", ["Gateway:OpenClaw:Scopes"] = "" });

        Assert.Equal(new[] { "tools" }, array.AnnouncedCapabilities);
        Assert.Equal(new[] { "operator.admin" }, array.GetDialectOptions<OpenClawOptions>().Scopes);
        Assert.Equal(new[] { "task.started" }, array.GetDialectOptions<PraxisOptions>().EventTypes);
        Assert.Equal(new[] { "streaming", "tools" }, joined.AnnouncedCapabilities);
        Assert.Equal(new[] { "operator.read", "operator.admin" }, joined.GetDialectOptions<OpenClawOptions>().Scopes);
        Assert.Equal(new[] { "task.started", "task.failed" }, joined.GetDialectOptions<PraxisOptions>().EventTypes);
        Assert.Empty(empty.AnnouncedCapabilities!);
        Assert.Empty(empty.GetDialectOptions<OpenClawOptions>().Scopes);
    }

    [Fact]
    public void Keys_match_in_any_case_as_configuration_keys_do()
    {
        var o = Bind(new()
        {
            ["gateway:url"] = "ws://127.0.0.1:1/ws",
            ["GATEWAY:RECONNECT:MAXDELAY"] = "00:00:09",
            ["Gateway:openclaw:clientid"] = "cli",
            ["Gateway:TOKEN"] = "t",
            ["Gateway:dialect"] = "openclaw",
        });

        Assert.Equal(new Uri("ws://127.0.0.1:1/ws"), o.Url);
        Assert.Equal(TimeSpan.FromSeconds(9), o.Reconnect.MaxDelay);
        Assert.Equal("cli", o.GetDialectOptions<OpenClawOptions>().ClientId);
        Assert.NotNull(o.TokenProvider);
        Assert.Equal(ProtocolDialect.OpenClaw, o.Dialect);
    }

    [Fact]
    public void Keys_that_are_absent_keep_their_defaults()
    {
        var o = Bind(new() { ["Gateway:Url"] = "ws://127.0.0.1:1/ws" });
        var defaults = new GatewayClientOptions();

        Assert.Equal((defaults.Dialect, defaults.HandshakeTimeout, defaults.Reconnect.MaxDelay), (o.Dialect, o.HandshakeTimeout, o.Reconnect.MaxDelay));
        Assert.Equal(defaults.AnnouncedCapabilities, o.AnnouncedCapabilities);
        Assert.Null(o.TokenProvider);
    }

    [Fact]
    public void Every_option_is_covered_by_the_configuration_test_or_is_code_only()
    {
        // A new option must be readable from configuration (and in HostingTests' list) or be refused by name as code.
        var keys = new HashSet<string>(HostingTests.EveryOption.Keys.Select(k => k.Split(':') is var parts && int.TryParse(parts[^1], out _) ? string.Join(":", parts[..^1]) : k), StringComparer.OrdinalIgnoreCase);
        var missing = new List<string>();
        void Walk(Type type, string prefix)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
            {
                var key = prefix + ":" + property.Name;
                if (property.PropertyType == typeof(ReconnectOptions))
                {
                    Walk(property.PropertyType, key);
                }
                else if (!keys.Contains(key) && !(type == typeof(GatewayClientOptions) && CodeOnlyOptions.Contains(property.Name)))
                {
                    missing.Add(key);
                }
            }
        }

        Walk(typeof(GatewayClientOptions), "Gateway");
        foreach (var dialect in DialectSections)
        {
            Walk(dialect.Value, "Gateway:" + dialect.Key);
        }

        Assert.Empty(missing);
        Assert.Contains("Gateway:Token", keys); // the configuration form of TokenProvider
        var dialectOptionTypes = typeof(DialectOptions).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(DialectOptions)));
        Assert.Equal(dialectOptionTypes.OrderBy(t => t.Name), DialectSections.Values.OrderBy(t => t.Name));
    }

    [Fact]
    public void A_configuration_root_binds_too_and_an_unknown_key_there_names_the_root()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Url"] = "ws://127.0.0.1:1/ws", ["Typo"] = "x" }).Build();
        var services = new ServiceCollection();
        services.AddGatewayClient(configuration);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IOptionsMonitor<GatewayClientOptions>>().Get(Options.DefaultName));

        Assert.Contains("The configuration root has a key that is not an option", error.Message);
        Assert.Contains("'Typo'", error.Message);
    }
}
