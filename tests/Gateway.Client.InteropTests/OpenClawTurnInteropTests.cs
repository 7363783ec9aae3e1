using System.Text.Json;
using Xunit.Abstractions;

namespace Gateway.Client.InteropTests;

/// <summary>
/// Agent turns (<see cref="GatewayClient.AskAsync"/>) against the real OpenClaw gateway running its agent on the stub
/// model (<c>echo: text</c> in two deltas; <c>slow…</c> takes 3 s, <c>fail…</c> is refused): a turn, a turn whose
/// connection drops in the middle (it goes on over the next one), a failed run, and a resend with the same key. Each
/// test runs in a chat session of its own; the first turn after start-up takes 6–12 s, so every turn gets 90 s.
/// </summary>
[Collection("real gateway")]
public sealed class OpenClawTurnInteropTests : IClassFixture<OpenClawWithModelFixture>
{
    private readonly OpenClawWithModelFixture _fixture;
    private readonly ITestOutputHelper _output;

    public OpenClawTurnInteropTests(OpenClawWithModelFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    private OpenClawGateway Gateway => _fixture.Gateway;

    private static CancellationToken Limit(int seconds = 90) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static GatewayTurnOptions InSession(string? key = null) => new()
    {
        SessionKey = "turns-" + Guid.NewGuid().ToString("N"),
        IdempotencyKey = key,
    };

    [OpenClawModelFact]
    public async Task A_turn_completes_with_the_echo_its_deltas_add_up_to_the_final_text_and_its_id_is_the_idempotency_key()
    {
        await using var proxy = new LoopbackProxy(Gateway.Port);
        await using var client = new GatewayClient(ThroughProxy(proxy));
        await client.ConnectAsync(Limit());

        var turn = TurnReader.Ask(client, "hello", InSession());
        var outcome = await turn.OutcomeAsync(Limit());
        _output.WriteLine(turn.Describe());

        Assert.True(GatewayTurnStatus.Completed == outcome.Status, turn.Describe());
        Assert.Equal("echo: hello", outcome.Text);
        Assert.Equal("echo: hello", turn.DeltaText);
        var updates = turn.Updates;
        Assert.Equal(GatewayTurnUpdateKind.Accepted, updates[0].Kind);
        var final = Assert.Single(updates, u => u.Kind == GatewayTurnUpdateKind.Final);
        Assert.Same(final, updates[^1]);

        // The turn id is the key chat.send carried (the client's default: a new one), and the run id of the events.
        var key = Assert.Single(ChatSendKeys(proxy.LinkAt(1)));
        Assert.Equal(key, outcome.TurnId);
        Assert.All(updates, u => Assert.Equal(key, u.TurnId));
        Assert.Equal(key, final.Event!.Data.GetProperty("runId").GetString());
        Assert.Equal("final", final.Event.Data.GetProperty("state").GetString());
        Assert.False(outcome.Resumed);
    }

    [OpenClawModelFact]
    public async Task A_slow_turn_whose_connection_drops_goes_on_over_the_next_connection_and_completes_with_no_delta_twice()
    {
        await using var proxy = new LoopbackProxy(Gateway.Port);
        await using var client = new GatewayClient(ThroughProxy(proxy));
        var transitions = new StateRecorder(client);
        await client.ConnectAsync(Limit());
        var options = InSession();
        var marker = "marker-" + Guid.NewGuid().ToString("N");

        // The stub sends "echo: " at once and the text 3 s later: the connection dies in between.
        var turn = TurnReader.Ask(client, "slow " + marker, options);
        await turn.WaitForAsync(GatewayTurnUpdateKind.TextDelta, Limit());
        proxy.DropAll();
        await transitions.WaitForAsync(ConnectionState.Connected, 2, Limit());
        var outcome = await turn.OutcomeAsync(Limit());
        _output.WriteLine(turn.Describe());

        Assert.True(GatewayTurnStatus.Completed == outcome.Status, turn.Describe());
        Assert.True(outcome.Resumed, turn.Describe());
        Assert.Equal("echo: slow " + marker, outcome.Text);
        Assert.Equal(outcome.Text, turn.DeltaText);
        Assert.Single(turn.Updates, u => u.Kind == GatewayTurnUpdateKind.Final);
        Assert.Single(turn.Updates, u => u.Kind == GatewayTurnUpdateKind.Accepted);

        // The same key went out on both connections, and the model ran once.
        var key = outcome.TurnId!;
        Assert.Equal([key], ChatSendKeys(proxy.LinkAt(1)));
        Assert.Equal([key], ChatSendKeys(proxy.LinkAt(2)));
        Assert.Equal(1, _fixture.Model.CallsContaining(marker));
    }

    [OpenClawModelFact]
    public async Task A_fail_turn_ends_failed_with_the_servers_error_message()
    {
        await using var client = new GatewayClient(RunningGatewayFixture.ClientOptions(Gateway));
        await client.ConnectAsync(Limit());

        var turn = TurnReader.Ask(client, "fail please", InSession());
        var outcome = await turn.OutcomeAsync(Limit());
        _output.WriteLine(turn.Describe() + " / " + outcome.ErrorCode + " / " + outcome.ErrorMessage);

        Assert.True(GatewayTurnStatus.Failed == outcome.Status, turn.Describe());
        var final = Assert.Single(turn.Updates, u => u.Kind == GatewayTurnUpdateKind.Final);
        _output.WriteLine(final.Event!.Frame.GetRawText());
        Assert.Same(final, turn.Updates[^1]);
        Assert.Equal("error", final.Event!.Data.GetProperty("state").GetString());
        Assert.Equal(final.Event.Data.GetProperty("errorMessage").GetString(), outcome.ErrorMessage);
        Assert.False(string.IsNullOrEmpty(outcome.ErrorMessage));
        Assert.Equal(string.Empty, turn.DeltaText);
    }

    [OpenClawModelFact]
    public async Task Asking_again_with_the_key_of_a_completed_turn_never_runs_the_model_again_and_reads_its_answer_back()
    {
        await using var client = new GatewayClient(RunningGatewayFixture.ClientOptions(Gateway));
        await client.ConnectAsync(Limit());
        var session = "turns-" + Guid.NewGuid().ToString("N");
        var first = new GatewayTurnOptions { SessionKey = session, IdempotencyKey = "interop-alpha-" + Guid.NewGuid().ToString("N") };
        var other = new GatewayTurnOptions { SessionKey = session, IdempotencyKey = "interop-beta-" + Guid.NewGuid().ToString("N") };

        var alpha = await TurnReader.Ask(client, "alpha", first).OutcomeAsync(Limit());
        var beta = await TurnReader.Ask(client, "beta", other).OutcomeAsync(Limit());
        var calls = _fixture.Model.Calls;

        // The first key again (same message): the gateway answers "ok" for the run it already had; the answer is read back.
        var again = TurnReader.Ask(client, "alpha", first);
        var outcome = await again.OutcomeAsync(Limit());
        _output.WriteLine(again.Describe());

        Assert.Equal((GatewayTurnStatus.Completed, "echo: alpha"), (alpha.Status, alpha.Text));
        Assert.Equal((GatewayTurnStatus.Completed, "echo: beta"), (beta.Status, beta.Text));
        Assert.True(GatewayTurnStatus.Completed == outcome.Status, again.Describe());
        Assert.Equal("echo: alpha", outcome.Text);
        Assert.Equal(outcome.Text, again.DeltaText);
        Assert.Equal(first.IdempotencyKey, outcome.TurnId);
        Assert.Single(again.Updates, u => u.Kind == GatewayTurnUpdateKind.Final);
        Assert.Equal(calls, _fixture.Model.Calls);
    }

    private GatewayClientOptions ThroughProxy(LoopbackProxy proxy)
    {
        var options = RunningGatewayFixture.ClientOptions(Gateway);
        options.Url = new Uri($"ws://127.0.0.1:{proxy.Port}");
        return options;
    }

    /// <summary>The <c>params.idempotencyKey</c> of every <c>chat.send</c> the client sent on the link, in order.</summary>
    private static string[] ChatSendKeys(LoopbackProxy.Link link) => link.SentByClient
        .Select(text => JsonDocument.Parse(text).RootElement)
        .Where(frame => frame.TryGetProperty("method", out var method) && method.GetString() == "chat.send")
        .Select(frame => frame.GetProperty("params").TryGetProperty("idempotencyKey", out var key) ? key.GetString() ?? "(null)" : "(none)")
        .ToArray();
}
