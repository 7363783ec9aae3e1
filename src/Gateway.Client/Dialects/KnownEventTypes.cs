using System.Text.Json;

namespace Gateway.Client.Dialects;

/// <summary>
/// Maps the event types the gateway commonly sends to shared string instances, so classifying a
/// frame does not allocate a new string for its type.
/// </summary>
internal static class KnownEventTypes
{
    private static readonly (byte[] Utf8, string Text)[] Types = Build(
        "token_stream", "response", "message", "error", "stream_end", "tool_call_stream", "reasoning_stream",
        "tool_progress_stream", "stream_error", "model_fallback_stream", "retry_stream", "todo_stream",
        "tool_result_stream", "status", "aborted", "no_active_turn", "left", "ping", "pong", "res", "replay",
        "reconnect", "hello_ok", "hello_error", "joined", "snapshot", "event");

    /// <summary>Reads the current string token, sharing the instance for known types.</summary>
    public static string Read(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            var span = reader.ValueSpan;
            foreach (var (utf8, text) in Types)
            {
                // Length and first byte rule out nearly every candidate before the byte comparison.
                if (utf8.Length == span.Length && utf8[0] == span[0] && span.SequenceEqual(utf8))
                {
                    return text;
                }
            }
        }

        return reader.GetString()!;
    }

    private static (byte[], string)[] Build(params string[] names) =>
        names.Select(n => (System.Text.Encoding.UTF8.GetBytes(n), n)).ToArray();
}
