using System.Buffers;
using System.Text.Json;

namespace Gateway.Client.Dialects.PraisonAI;

/// <summary>Writes the client frames of protocols 1 and 2 (and the legacy <c>join</c>); the shapes both dialects share are in <see cref="CommonFrameWriter"/>.</summary>
internal static class PraisonAIFrameWriter
{
    public static void WriteHello(IBufferWriter<byte> output, HandshakeRequest request)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("type"u8, "hello"u8);
        json.WriteString("agent_id"u8, request.AgentId);
        json.WriteNumber("protocol_min"u8, request.Protocol.Min);
        json.WriteNumber("protocol_max"u8, request.Protocol.Max);
        json.WriteStartArray("capabilities"u8);
        foreach (var capability in request.Capabilities)
        {
            json.WriteStringValue(capability);
        }

        json.WriteEndArray();
        WriteResume(json, request);
        json.WriteEndObject();
    }

    public static void WriteJoin(IBufferWriter<byte> output, HandshakeRequest request)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("type"u8, "join"u8);
        json.WriteString("agent_id"u8, request.AgentId);
        json.WriteNumber("min_version"u8, request.Protocol.Min);
        json.WriteNumber("max_version"u8, request.Protocol.Max);
        WriteResume(json, request);
        json.WriteEndObject();
    }

    public static void WriteMessage(IBufferWriter<byte> output, string content)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("type"u8, "message"u8);
        json.WriteString("content"u8, content);
        json.WriteEndObject();
    }

    public static void WriteMessage(IBufferWriter<byte> output, JsonElement content)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("type"u8, "message"u8);
        json.WritePropertyName("content"u8);
        content.WriteTo(json);
        json.WriteEndObject();
    }

    public static void WriteAbort(IBufferWriter<byte> output, string reason)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("type"u8, "abort"u8);
        json.WriteString("reason"u8, reason);
        json.WriteEndObject();
    }

    private static void WriteResume(Utf8JsonWriter json, HandshakeRequest request)
    {
        if (request.SessionId is not null)
        {
            json.WriteString("session_id"u8, request.SessionId);
            if (request.Since is { } since)
            {
                json.WriteNumber("since"u8, since);
            }
        }
    }
}
