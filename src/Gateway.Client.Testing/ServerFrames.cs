using System.Text;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>Builds the server's frames. Deliberately independent of the client's code.</summary>
internal static class ServerFrames
{
    public static JsonObject Numbered(string type, JsonObject data, EnvelopeShape shape, string sessionId, long seq, string eventId, TimeProvider clock)
    {
        JsonObject frame;
        if (shape == EnvelopeShape.Flat)
        {
            frame = new JsonObject { ["type"] = type };
            foreach (var (key, value) in data)
            {
                if (key is not ("type" or "seq" or "cursor"))
                {
                    frame[key] = value?.DeepClone();
                }
            }

            frame["session_id"] ??= sessionId;
        }
        else
        {
            frame = new JsonObject
            {
                ["type"] = type,
                ["data"] = data.DeepClone(),
                ["event_id"] = eventId,
                ["timestamp"] = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
                ["source"] = "gateway",
                ["target"] = sessionId,
            };
        }

        frame["seq"] = seq;
        frame["cursor"] = seq;
        return frame;
    }

    /// <summary>The text that <see cref="WithInvalidUtf8"/> turns into bytes that are not UTF-8.</summary>
    public const string UndecodableText = "@@not-utf-8@@";

    /// <summary>
    /// <paramref name="json"/> as UTF-8, with every <see cref="UndecodableText"/> replaced by an invalid
    /// sequence (0xC3 0x28): what a buggy or hostile server puts in a text frame. A client's WebSocket
    /// rejects such a frame (close 1007) before any code above it sees it.
    /// </summary>
    public static byte[] WithInvalidUtf8(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var marker = Encoding.UTF8.GetBytes(UndecodableText);
        var output = new List<byte>(bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes.AsSpan(i).StartsWith(marker))
            {
                output.Add(0xC3);
                output.Add(0x28);
                i += marker.Length - 1;
                continue;
            }

            output.Add(bytes[i]);
        }

        return output.ToArray();
    }

    /// <summary>The replay wrapper (docs/protocol.md, "Frames"); the legacy join path adds a top-level <c>seq</c>.</summary>
    public static JsonObject Replay(RetainedEvent retained, bool legacy)
    {
        var frame = new JsonObject
        {
            ["type"] = "replay",
            ["event"] = new JsonObject
            {
                ["type"] = retained.Type,
                ["sequence"] = retained.Sequence,
                ["event_id"] = retained.EventId,
                ["source"] = "gateway",
                ["data"] = JsonNode.Parse(retained.Json),
            },
        };
        if (legacy)
        {
            frame["seq"] = retained.Sequence;
        }

        return frame;
    }

    public static JsonObject Snapshot(TestSession session) => new()
    {
        ["presence"] = new JsonArray(),
        ["health"] = new JsonObject { ["status"] = "healthy" },
        ["session_id"] = session.Id,
        ["cursor"] = session.Head,
    };
}
