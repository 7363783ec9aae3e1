using System.Text.Json;
using Gateway.Client.OpenClaw;

namespace Gateway.Client.InteropTests;

/// <summary>Gateway.Client against the real OpenClaw gateway: handshake, RPCs, numbered events, refusals.</summary>
[Collection("real gateway")]
public sealed class OpenClawInteropTests : IClassFixture<RunningGatewayFixture>
{
    private readonly RunningGatewayFixture _fixture;

    public OpenClawInteropTests(RunningGatewayFixture fixture) => _fixture = fixture;

    private OpenClawGateway Gateway => _fixture.Gateway ?? throw new InvalidOperationException("The gateway fixture did not start.");

    private static CancellationToken Limit(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    [InteropFact]
    public async Task The_handshake_negotiates_protocol_4_and_exposes_the_server()
    {
        await using var client = new GatewayClient(RunningGatewayFixture.ClientOptions(Gateway));

        await client.ConnectAsync(Limit());

        var session = client.Session!;
        Assert.Equal(4, session.Protocol);
        Assert.False(string.IsNullOrEmpty(((OpenClawSessionDetails)session.Details!).ServerBootId));
        Assert.False(string.IsNullOrEmpty(session.SessionId));
        Assert.Equal(TimeSpan.FromSeconds(30), session.Policy.HeartbeatInterval);
        Assert.Contains("health", session.Features.Methods);
        Assert.Contains("sessions.list", session.Features.Methods);
    }

    [InteropFact]
    public async Task Health_status_and_sessions_list_answer_over_req_and_res()
    {
        await using var client = new GatewayClient(RunningGatewayFixture.ClientOptions(Gateway));
        await client.ConnectAsync(Limit());

        var health = await client.RequestAsync("health", Limit());
        var status = await client.RequestAsync("status", Limit());
        var sessions = await client.RequestAsync("sessions.list", Limit());

        Assert.True(health.GetProperty("ok").GetBoolean());
        Assert.False(string.IsNullOrEmpty(status.GetProperty("runtimeVersion").GetString()));
        Assert.Equal(JsonValueKind.Array, sessions.GetProperty("sessions").ValueKind);
    }

    [InteropFact]
    public async Task Events_arrive_numbered_per_connection_from_one()
    {
        await using var client = new GatewayClient(RunningGatewayFixture.ClientOptions(Gateway));
        await client.ConnectAsync(Limit());
        await client.RequestAsync("health", Limit());

        // The gateway sends events soon after connect; its tick comes every 30 s at the latest. Every
        // connection numbers from 1 (the restart scenario checks the numbering starts again).
        GatewayEvent? first = null;
        await foreach (var e in client.ReadEventsAsync(Limit(45)))
        {
            if (e.Sequence is not null)
            {
                first = e;
                break;
            }
        }

        Assert.NotNull(first);
        Assert.Equal(1, first.Sequence);
        Assert.Equal(first.Type, first.Frame.GetProperty("event").GetString());
        Assert.Equal(0, client.Statistics.Gaps);
    }

    [InteropFact]
    public async Task A_wrong_token_fails_with_a_terminal_typed_error_and_one_attempt()
    {
        await using var client = new GatewayClient(RunningGatewayFixture.ClientOptions(Gateway, token: "not-the-token"));
        var transitions = new List<ConnectionStateChangedEventArgs>();
        client.OnStateChanged((e, _) =>
        {
            lock (transitions)
            {
                transitions.Add(e);
            }

            return Task.CompletedTask;
        });

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Limit()));

        Assert.Equal("AUTH_TOKEN_MISMATCH", error.Code);
        Assert.False(error.IsRetryable);
        Assert.Equal(ConnectionState.Failed, client.State);
        lock (transitions)
        {
            Assert.DoesNotContain(transitions, t => t.Current == ConnectionState.Reconnecting);
        }

        Assert.DoesNotContain(Gateway.Token, error.ToString());
    }

    [InteropFact]
    public async Task A_protocol_range_the_server_refuses_is_a_typed_mismatch()
    {
        var options = RunningGatewayFixture.ClientOptions(Gateway);
        options.GetDialectOptions<OpenClawOptions>().MinProtocol = 2;
        options.GetDialectOptions<OpenClawOptions>().MaxProtocol = 3;
        await using var client = new GatewayClient(options);

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Limit()));

        Assert.Equal("PROTOCOL_MISMATCH", error.Code);
        Assert.Equal(new ProtocolRange(2, 3), error.ClientProtocol);
        Assert.True(error.ServerProtocol?.Contains(4), $"server range {error.ServerProtocol}");
        Assert.False(error.IsRetryable);
    }
}
