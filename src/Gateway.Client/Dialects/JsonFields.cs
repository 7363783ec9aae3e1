using System.Text.Json;

namespace Gateway.Client.Dialects;

/// <summary>Tolerant readers for optional fields of handshake frames (rare; a DOM is fine here).</summary>
internal static class JsonFields
{
    /// <summary>
    /// A string field, or null when it is absent, not a string, or not valid UTF-8 (the reader checks a
    /// string's bytes only when it is decoded: a hostile frame must not throw out of the receive loop).
    /// </summary>
    public static string? String(JsonElement obj, string name)
    {
        try
        {
            return obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    public static long? Int64(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    public static int? Int32(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;

    public static double? Double(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    public static bool? Boolean(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    public static JsonElement? Object(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value.Clone() : null;

    public static IReadOnlyList<string> Strings(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Array)
        {
            return Array.Empty<string>();
        }

        var list = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                try
                {
                    list.Add(item.GetString()!);
                }
                catch (InvalidOperationException)
                {
                    // Not valid UTF-8: left out, like any entry that is not a string.
                }
            }
        }

        return list;
    }

    /// <summary>Parses a frame, or returns null when it is not a JSON object with a string type.</summary>
    public static JsonDocument? TryParseFrame(byte[] frame, out string? type)
    {
        type = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(frame);
        }
        catch (JsonException)
        {
            return null;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return null;
        }

        type = String(document.RootElement, "type");
        return document;
    }
}
