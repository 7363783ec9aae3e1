using System.Text.Json;
using Gateway.Client.Praxis;

namespace Gateway.Client.InteropTests;

/// <summary>
/// Gateway.Client's Praxis dialect against the real Praxis agent handler (praxis-py-sdk 3f5a88c, no agent
/// attached, so DSL commands take its fallback path): connect, each command and its answer, invalid input,
/// and a server restart.
/// </summary>
[Collection("real gateway")]
public sealed class PraxisInteropTests : IClassFixture<PraxisFixture>
{
    private readonly PraxisFixture _fixture;

    public PraxisInteropTests(PraxisFixture fixture) => _fixture = fixture;

    private PraxisAgent Agent => _fixture.Agent;

    private static CancellationToken Limit(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [PraxisFact]
    public async Task Connects_with_no_handshake_and_the_server_sends_nothing_first()
    {
        await using var client = new GatewayClient(Agent.ClientOptions());

        await client.ConnectAsync(Limit());
        var answer = await client.RequestAsync(PraxisCommands.ChatMessage, Json("""{"content":"ping"}"""), Limit());

        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.Equal("I received your message: ping", answer.GetProperty("content").GetString());
        var stats = client.Statistics;
        Assert.Equal((0L, 0L, 0L), (stats.EventsReceived, stats.MalformedFramesSkipped, stats.UnmatchedResponsesSkipped));
    }

    [PraxisFact]
    public async Task A_dsl_command_returns_its_result_after_its_progress()
    {
        await using var client = new GatewayClient(Agent.ClientOptions());
        await client.ConnectAsync(Limit());
        var progress = new TaskCompletionSource<GatewayRequestProgress>(TaskCreationOptions.RunContinuationsAsynchronously);

        var result = await client.RequestAsync(PraxisCommands.DslCommand, Json("""{"command":"read the report"}"""),
            new GatewayRequestOptions { Progress = new InlineProgress<GatewayRequestProgress>(p => progress.TrySetResult(p)) }, Limit());
        var report = await progress.Task.WaitAsync(Limit());

        Assert.Equal(GatewayRequestProgressKind.Progress, report.Kind);
        Assert.Equal("analyzing", report.Data.GetProperty("stage").GetString());
        Assert.Equal("Processing DSL command: read the report", report.Data.GetProperty("message").GetString());
        Assert.True(result.GetProperty("success").GetBoolean());
        Assert.Equal("read the report", result.GetProperty("command").GetString());
        Assert.Equal("praxis-agent-1", result.GetProperty("matchedAgents")[0].GetString());
        Assert.Equal("agent1", result.GetProperty("workflowSuggestion").GetProperty("nodes")[0].GetProperty("id").GetString());
        Assert.True(result.GetProperty("fallback").GetBoolean());
    }

    [PraxisFact]
    public async Task Execute_workflow_returns_workflow_start_and_chat_returns_the_assistants_reply()
    {
        await using var client = new GatewayClient(Agent.ClientOptions());
        await client.ConnectAsync(Limit());

        var started = await client.RequestAsync(PraxisCommands.ExecuteWorkflow,
            Json("""{"workflow":{"id":"wf-interop","nodes":[{"id":"n1","type":"agent"}],"edges":[]}}"""), Limit());
        var reply = await client.RequestAsync(PraxisCommands.ChatMessage, Json("""{"content":"hello there"}"""), Limit());

        Assert.Equal("wf-interop", started.GetProperty("workflowId").GetString());
        Assert.Equal("n1", started.GetProperty("nodes")[0].GetProperty("id").GetString());
        Assert.True(Guid.TryParse(started.GetProperty("executionId").GetString(), out _));
        Assert.EndsWith("Z", started.GetProperty("startTime").GetString());
        Assert.Equal(("I received your message: hello there", "assistant", "text"),
            (reply.GetProperty("content").GetString(), reply.GetProperty("sender").GetString(), reply.GetProperty("type").GetString()));
    }

    [PraxisFact]
    public async Task Invalid_input_is_a_typed_error_and_the_connection_is_kept()
    {
        await using var client = new GatewayClient(Agent.ClientOptions());
        await client.ConnectAsync(Limit());

        var error = await Assert.ThrowsAsync<GatewayRequestException>(() => client.RequestAsync(PraxisCommands.DslCommand, Json("""["not","an","object"]"""), Limit()));
        var unknown = await client.RequestAsync("NO_SUCH_COMMAND", default, Limit());
        var after = await client.RequestAsync(PraxisCommands.ChatMessage, Json("""{"content":"still here"}"""), Limit());

        Assert.Equal("INTERNAL_ERROR", error.Code);
        Assert.Contains("'list' object has no attribute 'get'", error.Message);
        Assert.Equal(("Connected to Praxis Agent", "system"), (unknown.GetProperty("content").GetString(), unknown.GetProperty("sender").GetString()));
        Assert.Equal("I received your message: still here", after.GetProperty("content").GetString());
        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.Equal(1, client.Statistics.Connections);
    }

    [PraxisFact]
    public async Task Requests_in_flight_together_are_answered_in_order()
    {
        await using var client = new GatewayClient(Agent.ClientOptions());
        await client.ConnectAsync(Limit());

        var answers = await Task.WhenAll(Enumerable.Range(1, 10).Select(i => i % 3 == 0
            ? client.RequestAsync(PraxisCommands.DslCommand, Json($$"""{"command":"c{{i}}"}"""), Limit())
            : client.RequestAsync(PraxisCommands.ChatMessage, Json($$"""{"content":"m{{i}}"}"""), Limit())));

        for (var i = 1; i <= 10; i++)
        {
            var answer = answers[i - 1];
            Assert.Equal(i % 3 == 0 ? $"c{i}" : $"I received your message: m{i}",
                i % 3 == 0 ? answer.GetProperty("command").GetString() : answer.GetProperty("content").GetString());
        }
    }
}
