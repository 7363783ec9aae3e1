using System.Buffers;
using Gateway.Client.Wire;
using System.Text.Json;
using Gateway.Client.Praxis;

namespace Gateway.Client.Dialects.Praxis;

/// <summary>Client frames: <c>{"type", "id", "payload"}</c>.</summary>
internal static class PraxisFrameWriter
{
    public static void Write(IBufferWriter<byte> output, string type, string id, JsonElement? payload)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("type"u8, type);
        json.WriteString("id"u8, id);
        json.WritePropertyName("payload"u8);
        CommonFrameWriter.WriteValueOrEmptyObject(json, payload);
        json.WriteEndObject();
    }

    /// <summary>The client's ping, answered by <c>PONG</c> (documented) or the welcome notice (live).</summary>
    public static void WritePing(IBufferWriter<byte> output)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("type"u8, PraxisCommands.Ping);
        json.WriteString("id"u8, PraxisAnswerLedger.ClientIdPrefix + "ping");
        json.WriteStartObject("payload"u8);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary><c>SUBSCRIBE_EVENTS {event_types}</c>, sent by the client itself on every connection.</summary>
    public static byte[] Subscribe(IEnumerable<string> eventTypes)
    {
        using var buffer = new PooledBufferWriter(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type"u8, PraxisCommands.SubscribeEvents);
            json.WriteString("id"u8, PraxisAnswerLedger.ClientIdPrefix + "subscribe");
            json.WriteStartObject("payload"u8);
            json.WriteStartArray("event_types"u8);
            foreach (var eventType in eventTypes)
            {
                json.WriteStringValue(eventType);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenMemory.ToArray();
    }
}
