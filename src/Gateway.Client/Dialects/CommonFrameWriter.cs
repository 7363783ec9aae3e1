using System.Buffers;
using System.Text.Json;

namespace Gateway.Client.Dialects;

/// <summary>Client frames whose shape every dialect shares: <c>{"type":…}</c> alone, and <c>req</c>.</summary>
internal static class CommonFrameWriter
{
    public static void WriteTypeOnly(IBufferWriter<byte> output, ReadOnlySpan<byte> type)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("type"u8, type);
        json.WriteEndObject();
    }

    public static void WriteRequest(IBufferWriter<byte> output, string id, string method, JsonElement? parameters)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("type"u8, "req"u8);
        json.WriteString("id"u8, id);
        json.WriteString("method"u8, method);
        json.WritePropertyName("params"u8);
        WriteValueOrEmptyObject(json, parameters);
        json.WriteEndObject();
    }

    /// <summary>Writes <paramref name="value"/>, or <c>{}</c> when there is none.</summary>
    public static void WriteValueOrEmptyObject(Utf8JsonWriter json, JsonElement? value)
    {
        if (value is { } present)
        {
            present.WriteTo(json);
        }
        else
        {
            json.WriteStartObject();
            json.WriteEndObject();
        }
    }
}
