using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.AI.Tests;

/// <summary>The happy path end to end: a real <see cref="GatewayClient"/> against the embedded <see cref="TestGateway"/>.</summary>
public class TestGatewayChatTests
{
    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private static async Task<(TestGateway Gateway, GatewayClient Client)> StartAsync(TestGatewayDialect dialect)
    {
        var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Dialect = dialect, Token = "secret" });
        var client = new GatewayClient(new GatewayClientOptions
        {
            Url = gateway.Url,
            AgentId = "support",
            Dialect = dialect == TestGatewayDialect.OpenClaw ? ProtocolDialect.OpenClaw : ProtocolDialect.PraisonAI,
            TokenProvider = _ => ValueTask.FromResult<string?>("secret"),
        });
        await client.ConnectAsync(Deadline());
        return (gateway, client);
    }

    [Fact]
    public async Task PraisonAI_streams_the_echo_agents_turn_and_aggregates_it()
    {
        var (gateway, client) = await StartAsync(TestGatewayDialect.PraisonAI);
        await using var _ = gateway;
        await using var __ = client;
        var chat = client.AsIChatClient();
        var updates = new List<ChatResponseUpdate>();

        await foreach (var update in chat.GetStreamingResponseAsync("hello there", cancellationToken: Deadline()))
        {
            updates.Add(update);
        }

        var response = await chat.GetResponseAsync([new(ChatRole.System, "ignored"), new(ChatRole.User, "again")], cancellationToken: Deadline());

        Assert.Equal("echo: hello there", string.Concat(updates.Select(u => u.Text)));
        Assert.True(updates.Count(u => u.Contents.OfType<TextContent>().Any()) >= 3); // streamed, a token a word
        Assert.Equal(ChatFinishReason.Stop, updates.Last().FinishReason);
        Assert.Equal(client.Session!.SessionId, updates.Last().ConversationId);
        Assert.Equal("echo: again", response.Text);
        Assert.Equal(GatewayTurnStatus.Completed, response.GetGatewayTurnOutcome()!.Status);
        Assert.Equal(client.Session.SessionId, response.ConversationId);
    }

    [Fact]
    public async Task OpenClaw_runs_the_echo_agent_in_the_chosen_session_with_the_run_id_as_the_response_id()
    {
        var (gateway, client) = await StartAsync(TestGatewayDialect.OpenClaw);
        await using var _ = gateway;
        await using var __ = client;
        var chat = client.AsIChatClient();
        var updates = new List<ChatResponseUpdate>();

        await foreach (var update in chat.GetStreamingResponseAsync("hello there", new ChatOptions { ConversationId = "agent:support:main" }, Deadline()))
        {
            updates.Add(update);
        }

        Assert.Equal("echo: hello there", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(ChatFinishReason.Stop, updates.Last().FinishReason);
        Assert.All(updates, u => Assert.Equal("agent:support:main", u.ConversationId));
        var runId = updates.Last().GetGatewayTurnOutcome()!.TurnId;
        Assert.NotNull(runId);
        Assert.All(updates, u => Assert.Equal(runId, u.ResponseId));
    }

    [Theory]
    [InlineData(TestGatewayDialect.PraisonAI)]
    [InlineData(TestGatewayDialect.OpenClaw)]
    public async Task A_turn_the_agent_fails_ends_with_the_failed_finish_reason_and_an_error_content(TestGatewayDialect dialect)
    {
        var (gateway, client) = await StartAsync(dialect);
        await using var _ = gateway;
        await using var __ = client;

        var response = await client.AsIChatClient().GetResponseAsync("fail now", cancellationToken: Deadline());

        Assert.Equal(GatewayChatFinishReasons.Failed, response.FinishReason);
        var error = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<ErrorContent>());
        Assert.Equal(GatewayTurnStatus.Failed, Assert.IsType<GatewayTurnOutcome>(error.RawRepresentation).Status);
        Assert.Equal(GatewayTurnStatus.Failed, response.GetGatewayTurnOutcome()!.Status);
    }

    [Fact]
    public async Task OpenClaw_streams_a_run_with_reasoning_and_a_tool_the_agent_ran_in_the_chosen_session()
    {
        var (gateway, client) = await StartAsync(TestGatewayDialect.OpenClaw);
        await using var _ = gateway;
        await using var __ = client;
        var sends = new List<JsonElement>();
        Task? run = null;
        gateway.RegisterMethod("chat.send", (parameters, _) =>
        {
            sends.Add(parameters.Clone());
            var runId = parameters.GetProperty("idempotencyKey").GetString()!;
            var sessionKey = parameters.GetProperty("sessionKey").GetString()!;
            var reply = "echo: " + parameters.GetProperty("message").GetString();
            run = Task.Run(async () =>
            {
                await gateway.PublishOpenClawEventAsync("agent", new JsonObject { ["runId"] = runId, ["stream"] = "thinking", ["data"] = new JsonObject { ["text"] = "hmm" } });
                await gateway.PublishOpenClawEventAsync("agent", new JsonObject { ["runId"] = runId, ["stream"] = "tool", ["data"] = new JsonObject { ["phase"] = "start", ["name"] = "lookup", ["toolCallId"] = "t1", ["args"] = new JsonObject { ["q"] = "x" } } });
                await gateway.PublishOpenClawEventAsync("agent", new JsonObject { ["runId"] = runId, ["stream"] = "tool", ["data"] = new JsonObject { ["phase"] = "result", ["name"] = "lookup", ["toolCallId"] = "t1", ["result"] = "found" } });
                await gateway.PublishOpenClawEventAsync("chat", Chat(runId, sessionKey, "delta", reply[..6]));
                await gateway.PublishOpenClawEventAsync("chat", Chat(runId, sessionKey, "delta", reply));
                await gateway.PublishOpenClawEventAsync("chat", Chat(runId, sessionKey, "final", reply));
            });
            return Task.FromResult<JsonNode?>(new JsonObject { ["runId"] = runId, ["status"] = "started" });
        });
        var chat = client.AsIChatClient();

        var response = await chat.GetResponseAsync("hello", new ChatOptions { ConversationId = "agent:support:main" }, Deadline());
        await run!;

        var sent = Assert.Single(sends);
        Assert.Equal("agent:support:main", sent.GetProperty("sessionKey").GetString());
        Assert.Equal("hello", sent.GetProperty("message").GetString());
        Assert.Equal("echo: hello", response.Text);
        Assert.Equal(sent.GetProperty("idempotencyKey").GetString(), response.ResponseId);
        Assert.Equal("agent:support:main", response.ConversationId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        Assert.Equal("hmm", Assert.Single(contents.OfType<TextReasoningContent>()).Text);
        var call = Assert.Single(contents.OfType<FunctionCallContent>());
        Assert.True(call.InformationalOnly);
        Assert.Equal(("lookup", "t1"), (call.Name, call.CallId));
        Assert.Equal("found", ((JsonElement)Assert.Single(contents.OfType<FunctionResultContent>()).Result!).GetString());

        static JsonObject Chat(string runId, string sessionKey, string state, string text) => new()
        {
            ["runId"] = runId,
            ["sessionKey"] = sessionKey,
            ["state"] = state,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }) },
        };
    }

    [Fact]
    public async Task It_composes_with_the_Microsoft_Extensions_AI_pipeline_logging_and_OpenTelemetry()
    {
        var (gateway, client) = await StartAsync(TestGatewayDialect.PraisonAI);
        await using var _ = gateway;
        await using var __ = client;
        var logs = new CapturingLoggerProvider();
        var source = "Gateway.Client.AI.Tests." + Guid.NewGuid().ToString("N");
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) { activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);
        using var chat = new ChatClientBuilder(client.AsIChatClient())
            .UseLogging(logs)
            .UseOpenTelemetry(sourceName: source)
            .Build();
        var text = new System.Text.StringBuilder();

        await foreach (var update in chat.GetStreamingResponseAsync("through the pipeline", cancellationToken: Deadline()))
        {
            text.Append(update.Text);
        }

        Assert.Equal("echo: through the pipeline", text.ToString());
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Debug && e.Message.Contains("GetStreamingResponseAsync", StringComparison.Ordinal) && e.Message.Contains("completed", StringComparison.Ordinal));
        Activity span;
        lock (activities)
        {
            span = Assert.Single(activities);
        }

        var tags = span.TagObjects.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal("gateway.praisonai", tags.GetValueOrDefault("gen_ai.provider.name") ?? tags.GetValueOrDefault("gen_ai.system"));
        Assert.Contains("\"stop\"", Assert.IsType<string>(tags["gen_ai.response.finish_reasons"]), StringComparison.Ordinal); // a JSON array
    }
}
