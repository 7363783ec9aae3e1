using System.Text.Json;
using Gateway.Client.Dialects;
using Gateway.Client.Dialects.PraisonAI;
using Gateway.Client.Wire;

namespace Gateway.Client.Tests;

public class PraisonAIFrameWriterTests
{
    private static HandshakeRequest Request(string? sessionId = null, long? since = null) => new()
    {
        AgentId = "support",
        Protocol = new ProtocolRange(1, 2),
        Capabilities = new[] { "streaming" },
        SessionId = sessionId,
        Since = since,
        Timeout = TimeSpan.FromSeconds(1),
        TimeProvider = TimeProvider.System,
    };

    private static JsonElement Write(Action<PooledBufferWriter> write)
    {
        using var buffer = new PooledBufferWriter();
        write(buffer);
        return JsonDocument.Parse(buffer.WrittenMemory).RootElement.Clone();
    }

    [Fact]
    public void Hello_carries_versions_as_json_integers_and_no_resume_fields_when_fresh()
    {
        var hello = Write(b => PraisonAIFrameWriter.WriteHello(b, Request()));

        Assert.Equal("hello", hello.GetProperty("type").GetString());
        Assert.Equal("support", hello.GetProperty("agent_id").GetString());
        Assert.Equal(JsonValueKind.Number, hello.GetProperty("protocol_min").ValueKind);
        Assert.Equal(1, hello.GetProperty("protocol_min").GetInt32());
        Assert.Equal(2, hello.GetProperty("protocol_max").GetInt32());
        Assert.Equal("streaming", hello.GetProperty("capabilities")[0].GetString());
        Assert.False(hello.TryGetProperty("session_id", out _));
        Assert.False(hello.TryGetProperty("since", out _));
    }

    [Fact]
    public void Hello_resumes_with_session_id_and_since_as_an_integer()
    {
        var hello = Write(b => PraisonAIFrameWriter.WriteHello(b, Request("3c1e", 41)));

        Assert.Equal("3c1e", hello.GetProperty("session_id").GetString());
        Assert.Equal(JsonValueKind.Number, hello.GetProperty("since").ValueKind);
        Assert.Equal(41, hello.GetProperty("since").GetInt64());
    }

    [Fact]
    public void Join_uses_the_legacy_field_names()
    {
        var join = Write(b => PraisonAIFrameWriter.WriteJoin(b, Request("3c1e", 41)));

        Assert.Equal("join", join.GetProperty("type").GetString());
        Assert.Equal(1, join.GetProperty("min_version").GetInt32());
        Assert.Equal(2, join.GetProperty("max_version").GetInt32());
        Assert.Equal(41, join.GetProperty("since").GetInt64());
    }

    [Fact]
    public void Message_abort_leave_pong_and_request_have_the_contract_shapes()
    {
        var dialect = PraisonAIDialect.Instance;
        var message = Write(b => PraisonAIFrameWriter.WriteMessage(b, "hi \"there\""));
        var abort = Write(b => PraisonAIFrameWriter.WriteAbort(b, "user"));
        var leave = Write(b => dialect.WriteLeave(b));
        var pong = Write(b => dialect.WritePong(b));
        var request = Write(b => dialect.WriteRequest(b, "r1", "resync", null, null));

        Assert.Equal("hi \"there\"", message.GetProperty("content").GetString());
        Assert.Equal("user", abort.GetProperty("reason").GetString());
        Assert.Equal("leave", leave.GetProperty("type").GetString());
        Assert.Equal("pong", pong.GetProperty("type").GetString());
        Assert.Equal("req", request.GetProperty("type").GetString());
        Assert.Equal("r1", request.GetProperty("id").GetString());
        Assert.Equal("resync", request.GetProperty("method").GetString());
        Assert.Equal(JsonValueKind.Object, request.GetProperty("params").ValueKind);
    }

    [Fact]
    public void Structured_message_content_is_embedded_as_json()
    {
        var content = JsonDocument.Parse("""{"text":"hi","attachments":[1,2]}""").RootElement;
        var message = Write(b => PraisonAIFrameWriter.WriteMessage(b, content));

        Assert.Equal(2, message.GetProperty("content").GetProperty("attachments").GetArrayLength());
    }

    [Fact]
    public void Requests_need_protocol_2_over_hello()
    {
        static GatewaySession Session(int protocol, bool legacy) =>
            new("s", protocol, legacy, false, 0, null, null, GatewayFeatures.None, GatewayPolicy.None, null);

        Assert.True(PraisonAIDialect.Instance.SupportsRequests(Session(2, legacy: false)));
        Assert.False(PraisonAIDialect.Instance.SupportsRequests(Session(1, legacy: false)));
        Assert.False(PraisonAIDialect.Instance.SupportsRequests(Session(2, legacy: true)));
    }
}
