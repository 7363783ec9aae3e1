using System.Text.Json.Nodes;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>TestGateway's Praxis chat answers, seen through a raw socket: the real handler's text without an agent, the agent's reply with one.</summary>
public class TestGatewayPraxisChatTests
{
    private static JsonObject Chat(string content) => new() { ["type"] = "CHAT_MESSAGE", ["id"] = "c1", ["payload"] = new JsonObject { ["content"] = content } };

    [Theory]
    [InlineData(TestGatewayDialect.Praxis)]
    [InlineData(TestGatewayDialect.PraxisDocumented)]
    public async Task A_chat_message_is_answered_with_the_agents_reply_once_an_agent_is_set(TestGatewayDialect dialect)
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Dialect = dialect, Agent = new EchoAgent() });
        await using var socket = await RawSocket.OpenPraxisAsync(gateway);
        if (dialect == TestGatewayDialect.PraxisDocumented)
        {
            await socket.NextAsync("chatMessage"); // the welcome
        }

        await socket.SendAsync(Chat("hello there"));
        var answer = (await socket.NextAsync("chatMessage")).GetProperty("payload");

        Assert.Equal(("echo: hello there", "assistant"), (answer.GetProperty("content").GetString(), answer.GetProperty("sender").GetString()));
        if (dialect == TestGatewayDialect.Praxis)
        {
            Assert.Equal("text", answer.GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task Without_an_agent_the_live_handler_answers_as_the_real_one_with_none_attached()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Dialect = TestGatewayDialect.Praxis });
        await using var socket = await RawSocket.OpenPraxisAsync(gateway);

        await socket.SendAsync(Chat("hi"));

        Assert.Equal("I received your message: hi", (await socket.NextAsync("chatMessage")).GetProperty("payload").GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_refused_turn_is_an_error_chat_message_and_a_failed_one_an_internal_error()
    {
        var agent = new ScriptedAgent();
        agent.Reject(1, "no");
        agent.Fail(2, "broken");
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Dialect = TestGatewayDialect.Praxis, Agent = agent });
        await using var socket = await RawSocket.OpenPraxisAsync(gateway);

        await socket.SendAsync(Chat("one"));
        var refused = (await socket.NextAsync("chatMessage")).GetProperty("payload");
        await socket.SendAsync(Chat("two"));
        var failed = (await socket.NextAsync("error")).GetProperty("payload");

        Assert.Equal(("Error processing command: no", "error"), (refused.GetProperty("content").GetString(), refused.GetProperty("type").GetString()));
        Assert.Equal(("broken", "INTERNAL_ERROR"), (failed.GetProperty("message").GetString(), failed.GetProperty("code").GetString()));
    }
}
