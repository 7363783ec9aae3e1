using System.Text.Json;

namespace Gateway.Client.Wire;

/// <summary>Checks an app's frame before it is sent as it is: one JSON object with a string <c>type</c>, and nothing after it.</summary>
internal static class FrameCheck
{
    /// <summary>Null when the frame is fine; otherwise what is wrong with it.</summary>
    public static string? Problem(ReadOnlySpan<byte> utf8Frame)
    {
#if NET8_0_OR_GREATER
        if (!System.Text.Unicode.Utf8.IsValid(utf8Frame))
        {
            return "the frame is not valid UTF-8";
        }
#endif

        try
        {
            var reader = new Utf8JsonReader(utf8Frame);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "the frame is not a JSON object";
            }

            var hasType = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                hasType |= isType && reader.TokenType == JsonTokenType.String;
                reader.Skip();
            }

            // Reading on past the object's end finds trailing data (the reader allows only whitespace).
            while (reader.Read())
            {
            }

            return hasType ? null : "the frame has no string 'type'";
        }
        catch (JsonException ex)
        {
            return "the frame is not valid JSON: " + ex.Message;
        }
    }
}
