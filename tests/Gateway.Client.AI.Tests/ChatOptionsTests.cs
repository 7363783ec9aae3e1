using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using static Gateway.Client.AI.Tests.TurnModel;

namespace Gateway.Client.AI.Tests;

/// <summary>
/// What is sent (the last user message's text) and what happens to everything else: every <see cref="ChatOptions"/>
/// setting a gateway cannot honour is either ignored and logged (a hint the agent's own settings replace) or refused with
/// <see cref="NotSupportedException"/> unless <see cref="GatewayChatClientOptions.IgnoreUnsupportedOptions"/> (it would
/// change the answer); nothing is dropped silently. The package README's table lists the same.
/// </summary>
public class ChatOptionsTests
{
    private static (FakeGatewayClient Fake, IChatClient Chat, CapturingLoggerProvider Logs) Make(bool ignoreUnsupported = false, ProtocolDialect dialect = ProtocolDialect.PraisonAI)
    {
        var logs = new CapturingLoggerProvider();
        var fake = new FakeGatewayClient(dialect);
        return (fake, fake.AsIChatClient(new GatewayChatClientOptions { IgnoreUnsupportedOptions = ignoreUnsupported, LoggerFactory = logs }), logs);
    }

    private static GatewayTurnUpdate Done() => Final(GatewayTurnStatus.Completed, "ok");

    public static TheoryData<string, Action<ChatOptions>> Hints => new()
    {
        { "ChatOptions.ModelId", o => o.ModelId = "gpt-x" },
        { "ChatOptions.Temperature", o => o.Temperature = 0.2f },
        { "ChatOptions.TopP", o => o.TopP = 0.9f },
        { "ChatOptions.TopK", o => o.TopK = 40 },
        { "ChatOptions.FrequencyPenalty", o => o.FrequencyPenalty = 0.5f },
        { "ChatOptions.PresencePenalty", o => o.PresencePenalty = 0.5f },
        { "ChatOptions.Seed", o => o.Seed = 7 },
        { "ChatOptions.MaxOutputTokens", o => o.MaxOutputTokens = 100 },
        { "ChatOptions.StopSequences", o => o.StopSequences = ["END"] },
        { "ChatOptions.Reasoning", o => o.Reasoning = new ReasoningOptions() },
        { "ChatOptions.Instructions", o => o.Instructions = "be brief" },
        { "ChatOptions.AllowMultipleToolCalls", o => o.AllowMultipleToolCalls = false },
        { "ChatOptions.ToolMode (None)", o => o.ToolMode = ChatToolMode.None },
        { "ChatOptions.AdditionalProperties", o => o.AdditionalProperties = new() { ["x"] = 1 } },
        { "ChatOptions.AllowBackgroundResponses", o => o.AllowBackgroundResponses = true }, // PraisonAI cannot resume a turn
    };

    [Theory]
    [MemberData(nameof(Hints))]
    public async Task A_hint_the_agent_replaces_is_ignored_and_logged_as_a_warning_once_then_at_debug(string setting, Action<ChatOptions> set)
    {
        var (fake, chat, logs) = Make();
        fake.Script(Done()).Script(Done());
        var options = new ChatOptions();
        set(options);

        await chat.GetResponseAsync("hi", options);
        await chat.GetResponseAsync("hi", options);

        Assert.Equal(2, fake.Asked.Count);
        var entries = logs.Entries.Where(e => e.Message.StartsWith(setting + " is not sent", StringComparison.Ordinal)).ToList();
        Assert.Equal([LogLevel.Warning, LogLevel.Debug], entries.Select(e => e.Level));
        Assert.Equal([201, 202], entries.Select(e => e.EventId));
    }

    public static TheoryData<string, Action<ChatOptions>> Refused => new()
    {
        { "ChatOptions.Tools", o => o.Tools = [AIFunctionFactory.Create(() => "x", "f")] },
        { "ChatOptions.ToolMode (RequireAny/RequireSpecific)", o => o.ToolMode = ChatToolMode.RequireAny },
        { "ChatOptions.ResponseFormat (JSON)", o => o.ResponseFormat = ChatResponseFormat.Json },
        { "ChatOptions.RawRepresentationFactory", o => o.RawRepresentationFactory = _ => "not turn options" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_setting_that_would_change_the_answer_is_refused_before_anything_is_sent(string setting, Action<ChatOptions> set)
    {
        var (fake, chat, _) = Make();
        var options = new ChatOptions();
        set(options);

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => chat.GetResponseAsync("hi", options));

        Assert.StartsWith(setting + " cannot be honoured by a gateway", error.Message, StringComparison.Ordinal);
        Assert.Contains("IgnoreUnsupportedOptions", error.Message, StringComparison.Ordinal);
        Assert.Empty(fake.Asked);
        Assert.Throws<NotSupportedException>(() => chat.GetStreamingResponseAsync("hi", options)); // at the call, not at the first read
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task With_IgnoreUnsupportedOptions_the_same_setting_is_ignored_and_logged(string setting, Action<ChatOptions> set)
    {
        var (fake, chat, logs) = Make(ignoreUnsupported: true);
        fake.Script(Done());
        var options = new ChatOptions();
        set(options);

        var response = await chat.GetResponseAsync("hi", options);

        Assert.Equal("ok", response.Text);
        var entry = Assert.Single(logs.Entries, e => e.Message.StartsWith(setting + " is not sent", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, entry.Level);
    }

    [Fact]
    public async Task Text_response_format_and_auto_tool_mode_are_what_a_turn_does_anyway()
    {
        var (fake, chat, logs) = Make();
        fake.Script(Done());

        await chat.GetResponseAsync("hi", new ChatOptions { ResponseFormat = ChatResponseFormat.Text, ToolMode = ChatToolMode.Auto, Tools = [] });

        Assert.Single(fake.Asked);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task Only_the_last_user_messages_text_is_sent_system_messages_are_logged_and_earlier_ones_counted()
    {
        var (fake, chat, logs) = Make();
        fake.Script(Done());
        ChatMessage[] history =
        [
            new(ChatRole.System, "You are terse."),
            new(ChatRole.User, "first question"),
            new(ChatRole.Assistant, "first answer"),
            new(ChatRole.User, [new TextContent("second "), new TextContent("question")]),
        ];

        await chat.GetResponseAsync(history);

        Assert.Equal("second question", Assert.Single(fake.Asked).Message);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("A system message is not sent", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.EventId == 203 && e.Message.StartsWith("2 earlier message(s) not sent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_user_message_with_text_nothing_is_sent()
    {
        var (fake, chat, _) = Make();

        await Assert.ThrowsAsync<ArgumentException>(() => chat.GetResponseAsync([new ChatMessage(ChatRole.System, "rules")]));
        await Assert.ThrowsAsync<ArgumentException>(() => chat.GetResponseAsync([new ChatMessage(ChatRole.User, "  ")]));
        Assert.Empty(fake.Asked);
    }

    [Fact]
    public async Task Non_text_content_in_the_message_is_refused_or_with_IgnoreUnsupportedOptions_left_out_and_logged()
    {
        var image = new ChatMessage(ChatRole.User, [new TextContent("what is this?"), new DataContent(new byte[] { 1, 2, 3 }, "image/png")]);
        var (strictFake, strict, _) = Make();
        var (lenientFake, lenient, logs) = Make(ignoreUnsupported: true);
        lenientFake.Script(Done());

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => strict.GetResponseAsync([image]));
        await lenient.GetResponseAsync([image]);

        Assert.StartsWith("DataContent in the user message cannot be honoured", error.Message, StringComparison.Ordinal);
        Assert.Empty(strictFake.Asked);
        Assert.Equal("what is this?", Assert.Single(lenientFake.Asked).Message);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("DataContent in the user message is not sent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_turn_options_come_from_the_chat_client_or_for_one_call_from_RawRepresentationFactory()
    {
        var fake = new FakeGatewayClient().Script(Done()).Script(Done());
        var template = new GatewayTurnOptions { IdleTimeout = TimeSpan.FromSeconds(5), NewSessionWhenStuck = false };
        var chat = fake.AsIChatClient(new GatewayChatClientOptions { TurnOptions = template });
        template.IdleTimeout = TimeSpan.FromSeconds(99); // copied when the chat client was made

        await chat.GetResponseAsync("a");
        await chat.GetResponseAsync("b", new ChatOptions { RawRepresentationFactory = _ => new GatewayTurnOptions { AcceptTimeout = TimeSpan.FromSeconds(3) } });

        Assert.Equal(TimeSpan.FromSeconds(5), fake.Asked[0].Options!.IdleTimeout);
        Assert.False(fake.Asked[0].Options!.NewSessionWhenStuck);
        Assert.Equal(TimeSpan.FromSeconds(3), fake.Asked[1].Options!.AcceptTimeout);
        Assert.Null(fake.Asked[1].Options!.IdleTimeout);
    }

    [Fact]
    public void A_client_wide_idempotency_key_is_refused_each_turn_needs_its_own()
    {
        var error = Assert.Throws<ArgumentException>(() => new FakeGatewayClient().AsIChatClient(new GatewayChatClientOptions { TurnOptions = new GatewayTurnOptions { IdempotencyKey = "k" } }));

        Assert.Contains("IdempotencyKey must be null", error.Message, StringComparison.Ordinal);
    }
}
