using Microsoft.Extensions.AI;
using static Gateway.Client.AI.Tests.TurnModel;

namespace Gateway.Client.AI.Tests;

/// <summary>
/// The gateway session is the conversation: on OpenClaw the chat session key (chosen by ConversationId), elsewhere the
/// client's one session. On OpenClaw a continuation token asks for the same run again with the same idempotency key and
/// goes on after what was received; PraisonAI and Praxis cannot resume a turn.
/// </summary>
public class ConversationAndContinuationTests
{
    private static GatewayTurnUpdate Done(string text = "ok", string? turnId = null, string? sessionId = null) => Final(GatewayTurnStatus.Completed, text, turnId, sessionId);

    [Fact]
    public async Task OpenClaw_ConversationId_chooses_the_session_key_and_main_is_the_default()
    {
        var fake = new FakeGatewayClient(ProtocolDialect.OpenClaw)
            .Script((_, o, _) => new[] { Done(sessionId: o!.SessionKey) }.ToAsyncEnumerable())
            .Script((_, o, _) => new[] { Done(sessionId: o!.SessionKey) }.ToAsyncEnumerable());
        var chat = fake.AsIChatClient();

        var chosen = await chat.GetResponseAsync("hi", new ChatOptions { ConversationId = "agent:support:ticket-9" });
        var byDefault = await chat.GetResponseAsync("hi");

        Assert.Equal("agent:support:ticket-9", fake.Asked[0].Options!.SessionKey);
        Assert.Equal("agent:support:ticket-9", chosen.ConversationId);
        Assert.Equal("main", fake.Asked[1].Options!.SessionKey);
        Assert.Equal("main", byDefault.ConversationId);
        Assert.NotNull(fake.Asked[0].Options!.IdempotencyKey);
        Assert.NotEqual(fake.Asked[0].Options!.IdempotencyKey, fake.Asked[1].Options!.IdempotencyKey); // a new run each call
    }

    [Fact]
    public async Task OpenClaw_the_chat_clients_turn_options_name_the_default_session()
    {
        var fake = new FakeGatewayClient(ProtocolDialect.OpenClaw).Script(Done());

        var response = await fake.AsIChatClient(new GatewayChatClientOptions { TurnOptions = new GatewayTurnOptions { SessionKey = "ops" } }).GetResponseAsync("hi");

        Assert.Equal("ops", fake.Asked[0].Options!.SessionKey);
        Assert.Equal("ops", response.ConversationId);
    }

    [Theory]
    [InlineData(ProtocolDialect.PraisonAI)]
    [InlineData(ProtocolDialect.Praxis)]
    public async Task One_session_dialects_take_their_session_id_and_refuse_another_with_a_typed_error(ProtocolDialect dialect)
    {
        var fake = new FakeGatewayClient(dialect, sessionId: "sess-1").Script(Done(sessionId: "sess-1")).Script(Done(sessionId: "sess-1"));
        var chat = fake.AsIChatClient();

        var implicitly = await chat.GetResponseAsync("hi");
        var explicitly = await chat.GetResponseAsync("hi", new ChatOptions { ConversationId = "sess-1" });
        var error = await Assert.ThrowsAsync<GatewayConversationException>(() => chat.GetResponseAsync("hi", new ChatOptions { ConversationId = "sess-0" }));

        Assert.Equal("sess-1", implicitly.ConversationId);
        Assert.Equal("sess-1", explicitly.ConversationId);
        Assert.Equal("sess-0", error.RequestedConversationId);
        Assert.Equal("sess-1", error.CurrentConversationId);
        Assert.Contains("one session at a time", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, fake.Asked.Count);
    }

    [Fact]
    public async Task A_turn_that_moved_to_a_new_session_reports_the_new_one_as_the_conversation()
    {
        var fake = new FakeGatewayClient(ProtocolDialect.PraisonAI, sessionId: "sess-1").Script(Text("a"), Done("a", sessionId: "sess-2"));
        var updates = new List<ChatResponseUpdate>();

        await foreach (var update in fake.AsIChatClient().GetStreamingResponseAsync("hi"))
        {
            updates.Add(update);
        }

        Assert.Equal("sess-1", updates[0].ConversationId); // the session when the turn began
        Assert.Equal("sess-2", updates[1].ConversationId); // where it ran: the outcome says
        Assert.Equal("sess-2", (await updates.ToAsyncEnumerable().ToChatResponseAsync()).ConversationId);
    }

    [Fact]
    public async Task OpenClaw_background_responses_put_a_token_on_each_update_but_the_last_of_a_finished_turn()
    {
        var fake = new FakeGatewayClient(ProtocolDialect.OpenClaw).Script((_, o, _) => new[]
        {
            Update(GatewayTurnUpdateKind.Accepted, turnId: o!.IdempotencyKey),
            Text("hel", o.IdempotencyKey),
            Text("lo", o.IdempotencyKey),
            Done("hello", o.IdempotencyKey, o.SessionKey),
        }.ToAsyncEnumerable());
        var updates = new List<ChatResponseUpdate>();

        await foreach (var update in fake.AsIChatClient().GetStreamingResponseAsync("hi", new ChatOptions { AllowBackgroundResponses = true }))
        {
            updates.Add(update);
        }

        Assert.All(updates.Take(3), u => Assert.NotNull(u.ContinuationToken));
        Assert.Null(updates[3].ContinuationToken);
        Assert.Equal(fake.Asked[0].Options!.IdempotencyKey, updates[0].ResponseId);
    }

    [Fact]
    public async Task OpenClaw_a_token_asks_for_the_same_run_with_the_same_key_and_the_stream_goes_on_after_what_was_received()
    {
        var fake = new FakeGatewayClient(ProtocolDialect.OpenClaw)
            .Script((_, o, _) => new[]
            {
                Update(GatewayTurnUpdateKind.Accepted, turnId: o!.IdempotencyKey),
                Update(GatewayTurnUpdateKind.ReasoningDelta, "think", turnId: o.IdempotencyKey),
                Text("Hello, ", o.IdempotencyKey),
            }.ToAsyncEnumerable())
            // The resend: the gateway's run goes on; the client's new turn delivers the whole text so far, then the rest.
            .Script((_, o, _) => new[]
            {
                Update(GatewayTurnUpdateKind.Accepted, "in_flight", turnId: o!.IdempotencyKey),
                Update(GatewayTurnUpdateKind.ReasoningDelta, "thinking", turnId: o.IdempotencyKey),
                Text("Hello, wor", o.IdempotencyKey),
                Text("ld", o.IdempotencyKey),
                Done("Hello, world", o.IdempotencyKey, o.SessionKey),
            }.ToAsyncEnumerable());
        var chat = fake.AsIChatClient();
        var first = new List<ChatResponseUpdate>();
        await foreach (var update in chat.GetStreamingResponseAsync("greet me", new ChatOptions { AllowBackgroundResponses = true, ConversationId = "s9" }))
        {
            first.Add(update); // the stream stops here (the process, say, went away)
        }

        // The token as it would be stored: its bytes, read back.
        var stored = ResponseContinuationToken.FromBytes(first.Last().ContinuationToken!.ToBytes().ToArray());
        var rest = new List<ChatResponseUpdate>();
        await foreach (var update in chat.GetStreamingResponseAsync([], new ChatOptions { ContinuationToken = stored, AllowBackgroundResponses = true }))
        {
            rest.Add(update);
        }

        var (firstAsk, resend) = (fake.Asked[0], fake.Asked[1]);
        Assert.Equal("greet me", resend.Message);
        Assert.Equal(firstAsk.Options!.IdempotencyKey, resend.Options!.IdempotencyKey);
        Assert.Equal("s9", resend.Options.SessionKey);
        Assert.Equal("Hello, ", string.Concat(first.Select(u => u.Text)));
        Assert.Equal("world", string.Concat(rest.Select(u => u.Text)));
        Assert.Equal("ing", string.Concat(rest.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Select(r => r.Text)));
        Assert.Equal(firstAsk.Options.IdempotencyKey, rest[0].ResponseId);
        Assert.Equal("s9", rest.Last().ConversationId);
        Assert.Equal(ChatFinishReason.Stop, rest.Last().FinishReason);

        // GetResponseAsync with a token returns the whole answer of the run.
        fake.Script((_, o, _) => new[] { Text("Hello, world", o!.IdempotencyKey), Done("Hello, world", o.IdempotencyKey) }.ToAsyncEnumerable());
        var whole = await chat.GetResponseAsync([], new ChatOptions { ContinuationToken = stored });
        Assert.Equal("Hello, world", whole.Text);
    }

    [Fact]
    public async Task OpenClaw_a_lost_turn_ends_with_a_token_to_ask_for_it_again()
    {
        var fake = new FakeGatewayClient(ProtocolDialect.OpenClaw)
            .Script(Text("par"), Final(GatewayTurnStatus.Lost, "par", reason: "the client gave up reconnecting"))
            .Script(Text("par"), Final(GatewayTurnStatus.Lost, "par", reason: "the client gave up reconnecting"));
        var chat = fake.AsIChatClient();

        var background = await chat.GetResponseAsync("hi", new ChatOptions { AllowBackgroundResponses = true });
        var foreground = await chat.GetResponseAsync("hi");

        Assert.NotNull(background.ContinuationToken);
        Assert.Equal("lost", background.FinishReason?.Value);
        Assert.Null(foreground.ContinuationToken); // not allowed: no token
    }

    [Theory]
    [InlineData(ProtocolDialect.PraisonAI)]
    [InlineData(ProtocolDialect.Praxis)]
    public async Task One_session_dialects_cannot_resume_a_turn_no_token_is_issued_and_one_given_is_refused(ProtocolDialect dialect)
    {
        var fake = new FakeGatewayClient(dialect).Script(Text("a"), Final(GatewayTurnStatus.Lost, "a", reason: "dropped"));
        var chat = fake.AsIChatClient();
        var updates = new List<ChatResponseUpdate>();

        await foreach (var update in chat.GetStreamingResponseAsync("hi", new ChatOptions { AllowBackgroundResponses = true }))
        {
            updates.Add(update);
        }

        Assert.All(updates, u => Assert.Null(u.ContinuationToken));
        var openClawToken = await TokenFromOpenClawAsync();
        var error = await Assert.ThrowsAsync<NotSupportedException>(() => chat.GetResponseAsync([], new ChatOptions { ContinuationToken = openClawToken }));
        Assert.Contains("cannot resume a turn", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_that_is_not_a_gateway_turns_is_refused()
    {
        var chat = new FakeGatewayClient(ProtocolDialect.OpenClaw).AsIChatClient();

        await Assert.ThrowsAsync<ArgumentException>(() => chat.GetResponseAsync([], new ChatOptions { ContinuationToken = ResponseContinuationToken.FromBytes("not json"u8.ToArray()) }));
        await Assert.ThrowsAsync<ArgumentException>(() => chat.GetResponseAsync([], new ChatOptions { ContinuationToken = ResponseContinuationToken.FromBytes("""{"kind":"other"}"""u8.ToArray()) }));
        var token = await TokenFromOpenClawAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => chat.GetResponseAsync([], new ChatOptions { ContinuationToken = token, ConversationId = "another" }));
    }

    private static async Task<ResponseContinuationToken> TokenFromOpenClawAsync()
    {
        var fake = new FakeGatewayClient(ProtocolDialect.OpenClaw).Script(Text("a"), Done("a"));
        await foreach (var update in fake.AsIChatClient().GetStreamingResponseAsync("hi", new ChatOptions { AllowBackgroundResponses = true }))
        {
            return update.ContinuationToken!;
        }

        throw new InvalidOperationException("no update");
    }
}
