using System.Text.Json;

namespace Gateway.Client.Benchmarks;

/// <summary>The hand-written reference's per-event work, shared by every client that does it: read <c>type</c> and <c>seq</c>, keep the bytes.</summary>
internal static class ReferenceParse
{
    public static (string Type, long Seq) TypeAndSeq(ReadOnlySpan<byte> frame)
    {
        var reader = new Utf8JsonReader(frame);
        string type = string.Empty;
        long seq = 0;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.ValueTextEquals("message"u8) ? "message" : reader.GetString()!;
            }
            else if (reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                seq = reader.GetInt64();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return (type, seq);
    }

    public sealed record Event(string Type, long Sequence, byte[] Frame);
}
