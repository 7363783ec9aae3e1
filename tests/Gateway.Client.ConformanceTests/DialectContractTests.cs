using System.Net;
using System.Net.WebSockets;
using System.Text;
using Gateway.Client.Dialects;
using Gateway.Client.Engine;
using Gateway.Client.Testing;
using Gateway.Client.Praxis;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// What every dialect must do, run for each one in the catalog against its TestGateway mode: a new
/// dialect is held to it from the day it is added. (The decoder fuzzer runs on every dialect's
/// classifier too: DecoderFuzzTests.)
/// </summary>
public class DialectContractTests
{
    public static TheoryData<ProtocolDialect> Dialects => new(ProtocolDialects.All);

    /// <summary>Settings that give each dialect with <see cref="ISessionRestore"/> something to restore.</summary>
    private static readonly Dictionary<ProtocolDialect, Action<GatewayClientOptions>> RestoreSettings = new()
    {
        [ProtocolDialect.Praxis] = o => o.GetDialectOptions<PraxisOptions>().EventTypes = new List<string> { "task.started" },
    };

    private static GatewayClientOptions Options(ProtocolDialect dialect) =>
        new() { Url = new Uri("ws://127.0.0.1/ws"), AgentId = "contract", Dialect = dialect };

    private static Task<Scenario> StartAsync(ProtocolDialect dialect, Action<GatewayClientOptions>? client = null, bool connect = true) =>
        Scenario.StartAsync(
            new TestGatewayOptions { Dialect = Enum.Parse<TestGatewayDialect>(dialect.ToString()), EnableHeartbeat = false },
            o =>
            {
                o.Dialect = dialect;
                client?.Invoke(o);
            },
            connect);

    [Fact]
    public void Every_dialect_has_a_test_gateway_mode_of_the_same_name()
    {
        var modes = TestDialectCatalog.Entries.Select(e => e.Value.ToString()).ToHashSet();
        Assert.All(Enum.GetNames<ProtocolDialect>(), name => Assert.Contains(name, modes));
        Assert.Equal(Enum.GetValues<TestGatewayDialect>().Order(), TestDialectCatalog.Entries.Select(e => e.Value).Order());
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task A_refused_upgrade_is_a_typed_error_with_its_status_and_refused_credentials_stop(ProtocolDialect dialect)
    {
        await using var s = await StartAsync(dialect, connect: false);
        var (gateway, client, _) = s;
        gateway.RefuseUpgrades(401);

        var error = await Assert.ThrowsAsync<GatewayConnectionException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Equal(HttpStatusCode.Unauthorized, error.HttpStatusCode);
        Assert.Equal(ConnectionState.Failed, client.State);
        Assert.Equal(ReconnectAction.TerminalUnlessTokenChanged, ReconnectPolicy.For(DialectCatalog.For(dialect).Create(Options(dialect))).Decide(error));
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public void The_classifier_never_throws_on_input_no_server_should_send(ProtocolDialect dialect)
    {
        var classifier = DialectCatalog.For(dialect).Create(Options(dialect)).BeginConnection();
        var inputs = new List<byte[]>
        {
            Array.Empty<byte>(),
            Encoding.UTF8.GetBytes("null"),
            Encoding.UTF8.GetBytes("[{"),
            Encoding.UTF8.GetBytes("{\"type\":"),
            Encoding.UTF8.GetBytes(new string('[', 5000)),
            Encoding.UTF8.GetBytes("{\"type\":\"x\",\"seq\":1e400,\"payload\":{\"a\":" + new string('{', 200) + "}"),
            new byte[] { 0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D }, // invalid UTF-8 inside a name
            Encoding.UTF8.GetBytes("{\"type\":\"x\",\"payload\":{}} trailing"), // only whitespace may follow the object
            Encoding.UTF8.GetBytes("{\"type\":\"x\",\"payload\":{}}{\"type\":\"x\",\"payload\":{}}"),
        };

        foreach (var input in inputs)
        {
            var classified = classifier.Classify(input);
            Assert.Equal(FrameKind.Malformed, classified.Kind);
            Assert.False(string.IsNullOrEmpty(classified.Problem));
        }
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public void The_reconnect_table_decides_every_close_code_in_every_range(ProtocolDialect dialect)
    {
        var created = DialectCatalog.For(dialect).Create(Options(dialect));
        var policy = ReconnectPolicy.For(created);
        static bool Valid(int code) => code is >= 1000 and <= 1015 or >= 3000 and <= 4999;

        // Every code a table names is one a server can send, and a normal close or a server going away is resumed.
        Assert.All(created.CloseCodeActions.Keys, code => Assert.True(Valid(code), $"{dialect}: {code} is not a close code"));
        Assert.Equal(ReconnectAction.Resume, policy.Decide(new ConnectionEnd(ConnectionEndKind.ClosedByServer, WebSocketCloseStatus.NormalClosure)));
        Assert.Equal(ReconnectAction.Resume, policy.Decide(new ConnectionEnd(ConnectionEndKind.ClosedByServer, WebSocketCloseStatus.EndpointUnavailable)));
        Assert.Equal(ReconnectAction.Resume, policy.Decide(new ConnectionEnd(ConnectionEndKind.Lost)));

        // Standard (1000-1015), registered (3000-3999) and private (4000-4999) codes: only a code the table
        // names may stop the client; every other one is resumed with backoff.
        foreach (var code in Enumerable.Range(1000, 16).Concat(Enumerable.Range(3000, 2000)))
        {
            var action = policy.Decide(new ConnectionEnd(ConnectionEndKind.ClosedByServer, (WebSocketCloseStatus)code));
            var expected = created.CloseCodeActions.TryGetValue(code, out var listed) ? listed : ReconnectAction.Resume;
            Assert.Equal(expected, action);
            Assert.Equal(expected, policy.Decide(new GatewayConnectionException("closed", (WebSocketCloseStatus)code, "x")));
        }
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task Session_restore_is_sent_on_every_connection_before_any_frame_of_the_apps(ProtocolDialect dialect)
    {
        var restores = DialectCatalog.For(dialect).Create(Options(dialect)) is ISessionRestore;
        Assert.Equal(restores, RestoreSettings.ContainsKey(dialect)); // a dialect that restores must be exercised here
        if (!restores)
        {
            return;
        }

        await using var s = await StartAsync(dialect, RestoreSettings[dialect]);
        var (gateway, client, states) = s;
        var first = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        var restored = await first.WaitForFrameAsync(_ => true, Harness.Deadline());

        first.Drop();
        await states.WaitForAsync(ConnectionState.Connected, 2);
        await client.SendAsync(System.Text.Json.JsonDocument.Parse("""{"type":"APP_FRAME","payload":{}}""").RootElement, Harness.Deadline());
        var second = await gateway.WaitForHandshakeAsync(2, Harness.Deadline());
        await second.WaitForFrameAsync("APP_FRAME", Harness.Deadline());

        Assert.Equal(restored.GetRawText(), second.ReceivedFrames[0].GetRawText());
        Assert.Equal("APP_FRAME", second.ReceivedFrames[^1].GetProperty("type").GetString());
        Assert.Equal(2 * (second.ReceivedFrames.Count - 1), client.Statistics.SessionRestoreFramesSent);
    }
}
