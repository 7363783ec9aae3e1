using System.Text.Json;
using Xunit.Abstractions;
using Gateway.Client.OpenClaw;

namespace Gateway.Client.InteropTests;

/// <summary>
/// "Requests: at most once" (docs/reliability.md) against the real OpenClaw gateway, running turns on the stub
/// model. A <see cref="LoopbackProxy"/> withholds the gateway's answer to a <c>chat.send</c> it has acted on, then
/// cuts the connection: with <see cref="OpenClawRequestOptions.IdempotencyKey"/> the client sends it again and the
/// gateway must recognise the repeat; without, the call is "outcome unknown" and nothing is sent again. The
/// proxy's record of what the client sent shows which connection carried which request.
/// </summary>
[Collection("real gateway")]
public sealed class OpenClawIdempotencyInteropTests : IClassFixture<OpenClawWithModelFixture>
{
    private readonly OpenClawWithModelFixture _fixture;
    private readonly ITestOutputHelper _output;

    public OpenClawIdempotencyInteropTests(OpenClawWithModelFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    private OpenClawGateway Gateway => _fixture.Gateway;

    [OpenClawModelFact]
    public async Task A_chat_send_resent_with_its_key_after_its_answer_was_lost_is_recognised_by_the_real_gateway_and_runs_once()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        await using var proxy = new LoopbackProxy(Gateway.Port);
        await using var client = new GatewayClient(ClientOptionsThrough(proxy));
        var transitions = new StateRecorder(client);
        await client.ConnectAsync(limit.Token);
        var turn = Turn.New();

        // The gateway starts the run and answers "started"; the answer never reaches the client, then the link dies.
        var call = await SendAndLoseTheAnswerAsync(proxy, client, turn, turn.Params(), new OpenClawRequestOptions { IdempotencyKey = turn.Key, Timeout = TimeSpan.FromSeconds(60) }, limit.Token);

        var answer = await call;
        await transitions.WaitForAsync(ConnectionState.Connected, 2, limit.Token);
        _output.WriteLine($"The repeat on the next connection was answered {answer.GetRawText()}");
        var run = await WaitForRunAsync(client, turn, limit.Token);
        var history = await client.RequestAsync("chat.history", JsonSerializer.SerializeToElement(new { sessionKey = turn.SessionKey }), limit.Token);

        // The same frame, key included, went out once on each connection.
        Assert.Equal([turn.Key], ChatSendKeys(proxy.LinkAt(1)));
        Assert.Equal([turn.Key], ChatSendKeys(proxy.LinkAt(2)));

        // The gateway answered the repeat as the run it already had: same runId, not a second "started"
        // (in_flight while the run goes on, ok after it; a 'slow' turn makes it in_flight here).
        Assert.Equal(turn.Key, answer.GetProperty("runId").GetString());
        Assert.Contains(answer.GetProperty("status").GetString(), new[] { "in_flight", "ok" });

        // One run: it ended once with the echo, one model call, one user message and one reply in the session.
        Assert.Equal("ok", run.GetProperty("status").GetString());
        Assert.Equal("echo: " + turn.Message, run.GetProperty("terminalReply").GetProperty("text").GetString());
        Assert.Equal(1, _fixture.Model.CallsContaining(turn.Marker));
        AssertOneExchange(history, turn);
    }

    [OpenClawModelFact]
    public async Task Without_a_request_key_a_chat_send_whose_answer_was_lost_is_outcome_unknown_and_not_sent_again()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        await using var proxy = new LoopbackProxy(Gateway.Port);
        await using var client = new GatewayClient(ClientOptionsThrough(proxy));
        var transitions = new StateRecorder(client);
        await client.ConnectAsync(limit.Token);
        var turn = Turn.New();

        // chat.send requires params.idempotencyKey (without one: INVALID_REQUEST), so the app puts it in the params
        // itself; OpenClawRequestOptions.IdempotencyKey is not set, so to the client the request carries no key.
        var call = await SendAndLoseTheAnswerAsync(proxy, client, turn, turn.Params(withKey: true), new GatewayRequestOptions { Timeout = TimeSpan.FromSeconds(60) }, limit.Token);

        var error = await Assert.ThrowsAsync<GatewayConnectionException>(() => call);
        await transitions.WaitForAsync(ConnectionState.Connected, 2, limit.Token);
        var run = await WaitForRunAsync(client, turn, limit.Token);

        // The client could not know, and said so; the gateway had in fact run the turn, once.
        Assert.True(error.OutcomeUnknown, error.ToString());
        Assert.Equal([turn.Key], ChatSendKeys(proxy.LinkAt(1)));
        Assert.Empty(ChatSendKeys(proxy.LinkAt(2)));
        Assert.Equal("ok", run.GetProperty("status").GetString());
        Assert.Equal(1, _fixture.Model.CallsContaining(turn.Marker));
    }

    /// <summary>
    /// Sends <c>chat.send</c> through <paramref name="proxy"/>'s first link and loses its answer: the gateway acts and
    /// answers, the proxy withholds the answer from the client, then cuts every connection. Returns the client's call.
    /// </summary>
    private static async Task<Task<JsonElement>> SendAndLoseTheAnswerAsync(LoopbackProxy proxy, GatewayClient client, Turn turn, JsonElement parameters, GatewayRequestOptions options, CancellationToken cancellationToken)
    {
        var first = proxy.LinkAt(1);
        first.WithholdFromClient();
        var call = client.RequestAsync("chat.send", parameters, options, cancellationToken);
        await first.WaitForWithheldAsync(LoopbackProxy.Link.Containing(turn.StartedAnswer), cancellationToken);
        proxy.DropAll();
        return call;
    }

    [OpenClawModelFact]
    public async Task A_key_on_a_method_whose_closed_params_do_not_declare_it_is_refused_by_the_real_gateway()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var client = new GatewayClient(RunningGatewayFixture.ClientOptions(Gateway));
        await client.ConnectAsync(limit.Token);
        var keyed = new OpenClawRequestOptions { IdempotencyKey = "interop-" + Guid.NewGuid().ToString("N") };

        var error = await Assert.ThrowsAsync<GatewayRequestException>(() => client.RequestAsync("sessions.list", default, keyed, limit.Token));
        _output.WriteLine($"sessions.list with a key: {error.Code} {error.ServerMessage}");

        Assert.Equal("INVALID_REQUEST", error.Code);
        Assert.Contains("unexpected property 'idempotencyKey'", error.ServerMessage, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, (await client.RequestAsync("sessions.list", limit.Token)).GetProperty("sessions").ValueKind);
    }

    /// <summary>
    /// Unlike the docs once said, not every method that does not take a key refuses it: health and status do not
    /// check their params, so they accept the key and ignore it (no deduplication; harmless for reads).
    /// </summary>
    [OpenClawModelFact]
    public async Task A_key_on_health_or_status_which_do_not_check_their_params_is_accepted_by_the_real_gateway()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var client = new GatewayClient(RunningGatewayFixture.ClientOptions(Gateway));
        await client.ConnectAsync(limit.Token);
        var keyed = new OpenClawRequestOptions { IdempotencyKey = "interop-" + Guid.NewGuid().ToString("N") };

        var health = await client.RequestAsync("health", default, keyed, limit.Token);
        var status = await client.RequestAsync("status", default, keyed, limit.Token);

        Assert.True(health.GetProperty("ok").GetBoolean());
        Assert.False(string.IsNullOrEmpty(status.GetProperty("runtimeVersion").GetString()));
    }

    private GatewayClientOptions ClientOptionsThrough(LoopbackProxy proxy)
    {
        var options = RunningGatewayFixture.ClientOptions(Gateway);
        options.Url = new Uri($"ws://127.0.0.1:{proxy.Port}");
        return options;
    }

    /// <summary>Waits (bounded) for the run to end, on whichever connection is up: <c>agent.wait</c> answers its terminal snapshot.</summary>
    private static Task<JsonElement> WaitForRunAsync(GatewayClient client, Turn turn, CancellationToken cancellationToken) =>
        client.RequestAsync(
            "agent.wait",
            JsonSerializer.SerializeToElement(new { runId = turn.Key, timeoutMs = 60_000 }),
            new GatewayRequestOptions { Timeout = TimeSpan.FromSeconds(70) },
            cancellationToken);

    /// <summary>The <c>params.idempotencyKey</c> of every <c>chat.send</c> the client sent on the link, in order.</summary>
    private static string[] ChatSendKeys(LoopbackProxy.Link link) => link.SentByClient
        .Select(text => JsonDocument.Parse(text).RootElement)
        .Where(frame => frame.TryGetProperty("method", out var method) && method.GetString() == "chat.send")
        .Select(frame => frame.GetProperty("params").TryGetProperty("idempotencyKey", out var key) ? key.GetString() ?? "(null)" : "(none)")
        .ToArray();

    private static void AssertOneExchange(JsonElement history, Turn turn)
    {
        var messages = history.GetProperty("messages").EnumerateArray().ToArray();
        var roles = string.Join(", ", messages.Select(m => m.GetProperty("role").GetString()));
        Assert.True(messages.Length == 2, $"the session holds {roles}");
        Assert.Single(messages, m => m.GetProperty("role").GetString() == "user" && TextOf(m.GetProperty("content")) == turn.Message);
        Assert.Single(messages, m => m.GetProperty("role").GetString() == "assistant");
    }

    private static string TextOf(JsonElement content) => content.ValueKind == JsonValueKind.String
        ? content.GetString()!
        : string.Concat(content.EnumerateArray().Select(part => part.TryGetProperty("text", out var text) ? text.GetString() : null));

    /// <summary>One turn in a session of its own; 'slow' keeps the run going for 3 s in the model.</summary>
    private sealed record Turn(string SessionKey, string Marker, string Key)
    {
        public string Message => "slow " + Marker;

        /// <summary>The gateway's answer to the first send, as it writes it.</summary>
        public string StartedAnswer => $$"""{"runId":"{{Key}}","status":"started"}""";

        public static Turn New()
        {
            var id = Guid.NewGuid().ToString("N");
            return new Turn("idem-" + id, "marker-" + id, "interop-" + id);
        }

        public JsonElement Params(bool withKey = false) => withKey
            ? JsonSerializer.SerializeToElement(new { sessionKey = SessionKey, message = Message, idempotencyKey = Key })
            : JsonSerializer.SerializeToElement(new { sessionKey = SessionKey, message = Message });
    }
}
