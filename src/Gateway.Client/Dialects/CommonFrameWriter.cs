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

    /// <summary>
    /// <c>{"type":"req","id","method","params"}</c>; an <paramref name="idempotencyKey"/> goes into the params as
    /// <paramref name="keyField"/> (params that already carry the same key are written as they are).
    /// </summary>
    /// <exception cref="ArgumentException">The params are not an object but a key must go in, or they carry a different key.</exception>
    public static void WriteRequest(IBufferWriter<byte> output, string id, string method, JsonElement? parameters, string? idempotencyKey = null, string? keyField = null)
    {
        var addKey = idempotencyKey is not null && !CarriesKey(parameters, keyField!, idempotencyKey);
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("type"u8, "req"u8);
        json.WriteString("id"u8, id);
        json.WriteString("method"u8, method);
        json.WritePropertyName("params"u8);
        if (!addKey)
        {
            WriteValueOrEmptyObject(json, parameters);
        }
        else
        {
            json.WriteStartObject();
            if (parameters is { } given)
            {
                foreach (var property in given.EnumerateObject())
                {
                    property.WriteTo(json);
                }
            }

            json.WriteString(keyField!, idempotencyKey);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    /// <summary>Whether the params already carry <paramref name="key"/> as <paramref name="field"/>.</summary>
    private static bool CarriesKey(JsonElement? parameters, string field, string key)
    {
        if (parameters is not { } given)
        {
            return false;
        }

        if (given.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"A request with an idempotency key needs its params to be a JSON object (they are {given.ValueKind}).", nameof(parameters));
        }

        if (!given.TryGetProperty(field, out var present))
        {
            return false;
        }

        if (present.ValueKind == JsonValueKind.String && present.ValueEquals(key))
        {
            return true;
        }

        throw new ArgumentException($"The params carry a '{field}' that differs from OpenClawRequestOptions.IdempotencyKey; give the key in one place.", nameof(parameters));
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
