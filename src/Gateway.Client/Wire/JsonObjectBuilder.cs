using System.Text.Json;

namespace Gateway.Client.Wire;

/// <summary>A small JSON object written once (a turn's request parameters), as a <see cref="JsonElement"/> that owns its bytes.</summary>
internal static class JsonObjectBuilder
{
    public static JsonElement Build(Action<Utf8JsonWriter> writeProperties)
    {
        using var output = new PooledBufferWriter();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(output.WrittenMemory);
        return document.RootElement.Clone();
    }
}
