using System.Text.Json;
using Microsoft.Extensions.AI;
using static Gateway.Client.AI.Tests.TurnModel;

namespace Gateway.Client.AI.Tests;

/// <summary>Each kind of <see cref="GatewayTurnUpdate"/> becomes the <see cref="ChatResponseUpdate"/> content Microsoft.Extensions.AI expects.</summary>
public class ChatMappingTests
{
    private static async Task<List<ChatResponseUpdate>> StreamAsync(IChatClient chat, string message = "hi", ChatOptions? options = null)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in chat.GetStreamingResponseAsync(message, options))
        {
            updates.Add(update);
        }

        return updates;
    }

    [Fact]
    public async Task Text_deltas_become_text_content_and_the_turn_id_names_the_response_and_message()
    {
        var fake = new FakeGatewayClient(ProtocolDialect.OpenClaw).Script(
            Update(GatewayTurnUpdateKind.Accepted, "started", turnId: "run-1"),
            Text("echo: ", "run-1"),
            Text("hello", "run-1"),
            Final(GatewayTurnStatus.Completed, "echo: hello", "run-1", sessionId: "main"));

        var updates = await StreamAsync(fake.AsIChatClient(), "hello");

        Assert.Equal(4, updates.Count);
        Assert.Empty(updates[0].Contents); // the acceptance: no content, its update kept in RawRepresentation
        Assert.Equal(GatewayTurnUpdateKind.Accepted, updates[0].GetGatewayTurnUpdate()!.Kind);
        Assert.Equal(["echo: ", "hello"], updates.Skip(1).Take(2).Select(u => Assert.IsType<TextContent>(Assert.Single(u.Contents)).Text));
        Assert.All(updates, u =>
        {
            Assert.Equal("run-1", u.ResponseId);
            Assert.Equal("run-1", u.MessageId);
            Assert.Equal(ChatRole.Assistant, u.Role);
            Assert.IsType<GatewayTurnUpdate>(u.RawRepresentation);
        });
        Assert.Empty(updates[3].Contents); // the final adds nothing the deltas already said
        Assert.Equal(ChatFinishReason.Stop, updates[3].FinishReason);
        Assert.Equal("completed", updates[3].AdditionalProperties![GatewayChatResponseExtensions.TurnStatusKey]);
        Assert.Equal("hello", Assert.Single(fake.Asked).Message);
    }

    [Fact]
    public async Task GetResponseAsync_aggregates_the_turn_into_one_assistant_message_with_the_outcome()
    {
        var fake = new FakeGatewayClient().Script(
            Update(GatewayTurnUpdateKind.Accepted, "Started processing."),
            Text("echo: "),
            Text("hello"),
            Final(GatewayTurnStatus.Completed, "echo: hello", sessionId: "sess-1"));

        var response = await fake.AsIChatClient().GetResponseAsync("hello");

        Assert.Equal("echo: hello", response.Text);
        var message = Assert.Single(response.Messages);
        Assert.Equal(ChatRole.Assistant, message.Role);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Null(response.ResponseId); // PraisonAI has no turn id
        Assert.Equal("sess-1", response.ConversationId);
        Assert.Equal(GatewayTurnStatus.Completed, response.GetGatewayTurnOutcome()!.Status);
        Assert.Null(response.ContinuationToken);
    }

    [Fact]
    public async Task Reasoning_deltas_become_text_reasoning_content_apart_from_the_answer()
    {
        var fake = new FakeGatewayClient().Script(
            Update(GatewayTurnUpdateKind.ReasoningDelta, "thinking about it"),
            Text("answer"),
            Final(GatewayTurnStatus.Completed, "answer"));

        var response = await fake.AsIChatClient().GetResponseAsync("q");

        Assert.Equal("answer", response.Text);
        var reasoning = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>());
        Assert.Equal("thinking about it", reasoning.Text);
    }

    [Fact]
    public async Task A_tool_the_server_ran_is_an_informational_function_call_and_its_result_a_function_result()
    {
        var fake = new FakeGatewayClient().Script(
            Update(GatewayTurnUpdateKind.ToolCall, toolCall: ToolCall("weather", "call-7", Json("""{"city":"Oslo","days":2}"""))),
            Update(GatewayTurnUpdateKind.ToolResult, toolCall: ToolCall("weather", "call-7", result: Json("""{"temp":3}"""))),
            Text("3 degrees"),
            Final(GatewayTurnStatus.Completed, "3 degrees"));

        var updates = await StreamAsync(fake.AsIChatClient());

        var call = Assert.IsType<FunctionCallContent>(Assert.Single(updates[0].Contents));
        Assert.True(call.InformationalOnly);
        Assert.Equal("call-7", call.CallId);
        Assert.Equal("weather", call.Name);
        Assert.Equal("Oslo", ((JsonElement)call.Arguments!["city"]!).GetString());
        Assert.Equal(2, ((JsonElement)call.Arguments!["days"]!).GetInt32());
        var result = Assert.IsType<FunctionResultContent>(Assert.Single(updates[1].Contents));
        Assert.Equal("call-7", result.CallId);
        Assert.Equal(3, ((JsonElement)result.Result!).GetProperty("temp").GetInt32());
        Assert.Null(result.AdditionalProperties);
    }

    [Fact]
    public async Task Calls_without_an_id_get_one_and_their_results_find_them_by_tool_name()
    {
        var fake = new FakeGatewayClient().Script(
            Update(GatewayTurnUpdateKind.ToolCall, toolCall: ToolCall("search", arguments: Json("\"{\\\"q\\\":\\\"dotnet\\\"}\""))),
            Update(GatewayTurnUpdateKind.ToolCall, toolCall: ToolCall("clock", arguments: Json("[1,2]"))),
            Update(GatewayTurnUpdateKind.ToolResult, toolCall: ToolCall("search", result: Json("\"no results\""), isError: true)),
            Update(GatewayTurnUpdateKind.ToolResult, toolCall: ToolCall("clock", result: Json("\"12:00\""))),
            Final(GatewayTurnStatus.Completed));

        var contents = (await StreamAsync(fake.AsIChatClient())).SelectMany(u => u.Contents).ToList();

        var search = Assert.IsType<FunctionCallContent>(contents[0]);
        var clock = Assert.IsType<FunctionCallContent>(contents[1]);
        Assert.NotEqual(search.CallId, clock.CallId);
        Assert.Equal("dotnet", ((JsonElement)search.Arguments!["q"]!).GetString()); // a string holding a JSON object is parsed
        Assert.Equal(JsonValueKind.Array, ((JsonElement)clock.Arguments!["input"]!).ValueKind); // anything else is kept under "input"
        var searchResult = Assert.IsType<FunctionResultContent>(contents[2]);
        Assert.Equal(search.CallId, searchResult.CallId);
        Assert.Equal(true, searchResult.AdditionalProperties!["gateway.tool.is_error"]);
        Assert.Equal(clock.CallId, Assert.IsType<FunctionResultContent>(contents[3]).CallId);
    }

    [Fact]
    public async Task A_function_invoking_client_never_runs_a_call_the_server_already_ran()
    {
        var invoked = 0;
        var weather = AIFunctionFactory.Create((string city) => { invoked++; return "sunny"; }, "weather");
        var fake = new FakeGatewayClient().Script(
            // A call whose result never came (the agent went on without it): only InformationalOnly keeps the
            // function-invoking client from running it (a call with its result in the response it skips anyway).
            Update(GatewayTurnUpdateKind.ToolCall, toolCall: ToolCall("weather", "c1", Json("""{"city":"Oslo"}"""))),
            Text("rain"),
            Final(GatewayTurnStatus.Completed, "rain"));
        using var chat = new ChatClientBuilder(fake.AsIChatClient(new GatewayChatClientOptions { IgnoreUnsupportedOptions = true }))
            .UseFunctionInvocation()
            .Build();

        var response = await chat.GetResponseAsync("weather in Oslo?", new ChatOptions { Tools = [weather] });

        Assert.Equal(0, invoked);
        Assert.Single(fake.Asked); // no second round trip with a function result
        Assert.Equal("rain", response.Text);
        Assert.True(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single().InformationalOnly);
    }

    [Fact]
    public async Task An_answer_only_in_the_final_update_is_delivered_as_text_and_a_final_that_tops_up_adds_only_the_rest()
    {
        var fake = new FakeGatewayClient(ProtocolDialect.Praxis)
            .Script(Final(GatewayTurnStatus.Completed, "the whole answer", "req-1"))
            .Script(Text("the "), Final(GatewayTurnStatus.Completed, "the rest"));

        var praxis = await StreamAsync(fake.AsIChatClient());
        var topUp = await StreamAsync(fake.AsIChatClient());

        Assert.Equal("the whole answer", Assert.IsType<TextContent>(Assert.Single(praxis.Single().Contents)).Text);
        Assert.Equal("req-1", praxis.Single().ResponseId);
        Assert.Equal("rest", Assert.IsType<TextContent>(Assert.Single(topUp.Last().Contents)).Text);
    }

    [Fact]
    public async Task Status_and_resumed_updates_pass_through_without_content()
    {
        var fake = new FakeGatewayClient().Script(
            Update(GatewayTurnUpdateKind.Status, "Message queued."),
            Update(GatewayTurnUpdateKind.Resumed, "The run goes on over the new connection."),
            Final(GatewayTurnStatus.Completed));

        var updates = await StreamAsync(fake.AsIChatClient());

        Assert.Equal([GatewayTurnUpdateKind.Status, GatewayTurnUpdateKind.Resumed, GatewayTurnUpdateKind.Final], updates.Select(u => u.GetGatewayTurnUpdate()!.Kind));
        Assert.All(updates, u => Assert.Empty(u.Contents));
        Assert.Null(updates[0].GetGatewayTurnOutcome());
    }

    [Fact]
    public void GetService_returns_the_metadata_the_gateway_client_and_itself()
    {
        var fake = new FakeGatewayClient(ProtocolDialect.OpenClaw);
        using var chat = fake.AsIChatClient(new GatewayChatClientOptions { ProviderUri = new Uri("ws://127.0.0.1:18789") });

        var metadata = chat.GetService<ChatClientMetadata>()!;
        Assert.Equal("gateway.openclaw", metadata.ProviderName);
        Assert.Equal(new Uri("ws://127.0.0.1:18789"), metadata.ProviderUri);
        Assert.Null(metadata.DefaultModelId);
        Assert.Same(fake, chat.GetService<IGatewayClient>());
        Assert.Same(fake, chat.GetService<IGatewayTurns>());
        Assert.Same(chat, chat.GetService<IChatClient>());
        Assert.Same(chat, chat.GetService<GatewayChatClient>());
        Assert.Null(chat.GetService<IGatewayClient>("a key"));
        Assert.Null(chat.GetService<IServiceProvider>());
        Assert.Equal("gateway.praisonai", new FakeGatewayClient().AsIChatClient().GetService<ChatClientMetadata>()!.ProviderName);
        Assert.Null(new FakeGatewayClient().AsIChatClient().GetService<ChatClientMetadata>()!.ProviderUri);
    }

    [Fact]
    public async Task A_client_that_runs_no_turns_is_refused_with_the_capability_error()
    {
        await using var plain = new GatewayClient(new GatewayClientOptions { Url = new Uri("ws://127.0.0.1:1/ws"), AgentId = "a" });
        var notTurns = new NoTurns(plain);

        var error = await Assert.ThrowsAsync<GatewayCapabilityException>(() => notTurns.AsIChatClient().GetResponseAsync("hi"));

        Assert.Equal(nameof(GatewayCapabilities.ChatTurns), error.Capability);
    }

    /// <summary>An <see cref="IGatewayClient"/> that is not an <see cref="IGatewayTurns"/> (a decorator that forgot it).</summary>
    private sealed class NoTurns(GatewayClient inner) : IGatewayClient
    {
        public ProtocolDialect Dialect => inner.Dialect;
        public ConnectionState State => inner.State;
        public GatewaySession? Session => inner.Session;
        public GatewayCapabilities Capabilities => inner.Capabilities;
        public GatewayClientStatistics Statistics => inner.Statistics;
        public IDisposable OnStateChanged(Func<ConnectionStateChangedEventArgs, CancellationToken, Task> handler) => inner.OnStateChanged(handler);
        public IDisposable OnGap(Func<GapInfo, CancellationToken, Task> handler) => inner.OnGap(handler);
        public Task ConnectAsync(CancellationToken cancellationToken = default) => inner.ConnectAsync(cancellationToken);
        public Task DisconnectAsync(CancellationToken cancellationToken = default) => inner.DisconnectAsync(cancellationToken);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
        public IAsyncEnumerable<GatewayEvent> ReadEventsAsync(CancellationToken cancellationToken = default) => inner.ReadEventsAsync(cancellationToken);
        public IAsyncEnumerable<GatewayEventBatch> ReadEventBatchesAsync(CancellationToken cancellationToken = default) => inner.ReadEventBatchesAsync(cancellationToken);
        public IAsyncEnumerable<GatewayEventBatch> ReadEventBatchesAsync(int maxBatchSize, CancellationToken cancellationToken = default) => inner.ReadEventBatchesAsync(maxBatchSize, cancellationToken);
        public Task SendAsync(JsonElement frame, CancellationToken cancellationToken = default) => inner.SendAsync(frame, cancellationToken);
        public Task SendAsync(ReadOnlyMemory<byte> utf8Frame, CancellationToken cancellationToken = default) => inner.SendAsync(utf8Frame, cancellationToken);
        public Task SendAsJsonAsync<T>(T frame, CancellationToken cancellationToken = default) => inner.SendAsJsonAsync(frame, cancellationToken);
        public Task SendAsJsonAsync<T>(T frame, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> frameType, CancellationToken cancellationToken = default) => inner.SendAsJsonAsync(frame, frameType, cancellationToken);
        public Task<JsonElement> RequestAsync(string method, CancellationToken cancellationToken = default) => inner.RequestAsync(method, cancellationToken);
        public Task<JsonElement> RequestAsync(string method, JsonElement parameters, CancellationToken cancellationToken = default) => inner.RequestAsync(method, parameters, cancellationToken);
        public Task<JsonElement> RequestAsync(string method, JsonElement parameters, GatewayRequestOptions options, CancellationToken cancellationToken = default) => inner.RequestAsync(method, parameters, options, cancellationToken);
        public Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, CancellationToken cancellationToken = default) => inner.RequestAsync<TRequest, TResponse>(method, request, cancellationToken);
        public Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, GatewayRequestOptions options, CancellationToken cancellationToken = default) => inner.RequestAsync<TRequest, TResponse>(method, request, options, cancellationToken);
        public Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestType, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken = default) => inner.RequestAsync(method, request, requestType, responseType, cancellationToken);
        public Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestType, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType, GatewayRequestOptions options, CancellationToken cancellationToken = default) => inner.RequestAsync(method, request, requestType, responseType, options, cancellationToken);
    }
}
