using Gateway.Client.Dialects;
using Gateway.Client.OpenClaw;

namespace Gateway.Client.Tests;

/// <summary>The dialect catalog is the one place a dialect is named: every public value has exactly one entry, and names round-trip.</summary>
public class DialectCatalogTests
{
    [Fact]
    public void Every_public_dialect_value_has_exactly_one_entry_with_a_unique_lower_case_name()
    {
        Assert.Equal(Enum.GetValues<ProtocolDialect>().OrderBy(v => v), DialectCatalog.Entries.Select(e => e.Value).OrderBy(v => v));
        Assert.Equal(DialectCatalog.Entries.Count, DialectCatalog.Entries.Select(e => e.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(DialectCatalog.Entries, e => Assert.Equal(e.Name.ToLowerInvariant(), e.Name));
        Assert.Equal(Enum.GetValues<ProtocolDialect>(), ProtocolDialects.All.OrderBy(v => v));
    }

    [Theory]
    [InlineData("praisonai", ProtocolDialect.PraisonAI)]
    [InlineData("PraisonAI", ProtocolDialect.PraisonAI)]
    [InlineData("openclaw", ProtocolDialect.OpenClaw)]
    [InlineData(" OpenClaw ", ProtocolDialect.OpenClaw)]
    public void Names_parse_in_any_case_and_round_trip(string name, ProtocolDialect expected)
    {
        Assert.True(ProtocolDialects.TryParse(name, out var parsed));
        Assert.Equal(expected, parsed);
        Assert.True(ProtocolDialects.TryParse(ProtocolDialects.NameOf(parsed), out var again));
        Assert.Equal(parsed, again);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("praxis2")]
    [InlineData("1")]
    public void Unknown_names_do_not_parse(string? name) => Assert.False(ProtocolDialects.TryParse(name, out _));

    [Fact]
    public void Every_dialect_but_PraisonAI_says_what_to_use_instead_of_its_verbs()
    {
        Assert.All(DialectCatalog.Entries, e =>
        {
            Assert.Equal(e.Value != ProtocolDialect.PraisonAI, e.WithoutChatVerbs is not null);
            Assert.Equal(e.Value != ProtocolDialect.PraisonAI, e.WithoutResync is not null);
        });
    }

    [Fact]
    public void A_value_that_is_no_dialect_is_a_named_option_error()
    {
        Assert.Throws<ArgumentException>(() => ProtocolDialects.NameOf((ProtocolDialect)99));
        var error = Assert.Throws<ArgumentException>(() => new GatewayClientOptions { Url = new Uri("ws://127.0.0.1/ws"), AgentId = "a", Dialect = (ProtocolDialect)99 }.Validate());
        Assert.Contains("Dialect", error.Message);
    }

    [Fact]
    public void Each_dialect_says_whether_it_needs_an_agent_id_and_checks_its_own_settings()
    {
        var noAgent = () => new GatewayClientOptions { Url = new Uri("ws://127.0.0.1/ws"), Dialect = ProtocolDialect.PraisonAI }.Validate();
        Assert.Contains("AgentId", Assert.Throws<ArgumentException>(noAgent).Message);
        new GatewayClientOptions { Url = new Uri("ws://127.0.0.1/ws"), Dialect = ProtocolDialect.OpenClaw }.Validate();

        var badScopes = new GatewayClientOptions { Url = new Uri("ws://127.0.0.1/ws"), Dialect = ProtocolDialect.OpenClaw };
        badScopes.GetDialectOptions<OpenClawOptions>().Scopes = new[] { " " };
        Assert.Contains("OpenClaw.Scopes", Assert.Throws<ArgumentException>(badScopes.Validate).Message);
    }

    [Fact]
    public void Each_dialects_settings_are_copied_deeply_so_a_running_client_never_sees_later_changes()
    {
        var options = new GatewayClientOptions { Url = new Uri("ws://127.0.0.1/ws"), AgentId = "a" };
        foreach (var entry in DialectCatalog.Entries.Where(e => e.OptionsType is not null))
        {
            var settings = options.GetDialectOptions(entry.Value)!;
            Assert.IsType(entry.OptionsType!, settings);
            Assert.Same(settings, options.GetDialectOptions(entry.Value));

            var copy = options.Clone().GetDialectOptions(entry.Value)!;
            Assert.NotSame(settings, copy);
            Assert.IsType(entry.OptionsType!, copy);
        }

        var openClaw = options.GetDialectOptions<OpenClawOptions>();
        openClaw.Scopes.Add("operator.admin");
        var clone = options.Clone().GetDialectOptions<OpenClawOptions>();
        openClaw.Scopes.Clear();
        openClaw.ClientId = "changed";
        Assert.Equal(new[] { "operator.read", "operator.write", "operator.admin" }, clone.Scopes);
        Assert.Equal("gateway-client", clone.ClientId);
    }

    [Fact]
    public void Settings_of_a_type_no_dialect_has_are_a_named_error()
    {
        var options = new GatewayClientOptions();
        Assert.Throws<ArgumentException>(() => options.GetDialectOptions<DialectOptions>());
        Assert.Null(options.GetDialectOptions(ProtocolDialect.PraisonAI));
    }

    [Fact]
    public void Refusal_kinds_come_from_each_dialects_own_codes_which_never_overlap()
    {
        var options = new GatewayClientOptions { Url = new Uri("ws://127.0.0.1/ws"), AgentId = "a" };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in DialectCatalog.Entries)
        {
            var dialect = entry.Create(options);
            foreach (var (code, kind) in entry.Refusals)
            {
                Assert.True(seen.Add(code), $"{code} is defined by two dialects");
                Assert.True(dialect.HandshakeCodeActions.ContainsKey(code), $"{entry.Name}: {code} is not in its reconnect table");
                Assert.Equal(kind, new GatewayHandshakeException(code, "refused").Refusal);
            }
        }

        Assert.Equal(HandshakeRefusalKind.Credentials, new GatewayHandshakeException(HandshakeErrorCodes.AuthUnauthorized, "x").Refusal);
        Assert.Equal(HandshakeRefusalKind.ProtocolVersion, new GatewayHandshakeException("PROTOCOL_MISMATCH", "x").Refusal);
        Assert.Equal(HandshakeRefusalKind.Other, new GatewayHandshakeException(HandshakeErrorCodes.AgentNotFound, "x").Refusal);
        Assert.Equal(HandshakeRefusalKind.Other, new GatewayHandshakeException("something_new", "x").Refusal);
    }
}
