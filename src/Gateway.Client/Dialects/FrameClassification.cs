using System.Text.Json;

namespace Gateway.Client.Dialects;

/// <summary>What every dialect's classifier shares: reader limits, and turning unreadable input into a malformed frame.</summary>
internal static class FrameClassification
{
    /// <summary>Classifies one frame from its UTF-8 bytes.</summary>
    public delegate InboundFrame Classifier(ReadOnlySpan<byte> frame);

    /// <summary>Nesting deeper than this is refused as malformed rather than parsed.</summary>
    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    /// <summary>
    /// Whether the current property name is <paramref name="name"/>. Unescaped names (all real frames)
    /// compare as bytes, cheaper than <see cref="Utf8JsonReader.ValueTextEquals(ReadOnlySpan{byte})"/>, which
    /// stays the path for escaped ones.
    /// </summary>
    public static bool NameIs(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) =>
        reader.ValueIsEscaped || reader.HasValueSequence ? reader.ValueTextEquals(name) : reader.ValueSpan.SequenceEqual(name);

    /// <summary>Runs <paramref name="classify"/>; JSON it cannot read (syntax, invalid UTF-8, depth) is a malformed frame, never an exception.</summary>
    public static InboundFrame Safely(ReadOnlySpan<byte> frame, Classifier classify)
    {
#if NET8_0_OR_GREATER
        // A text frame must be UTF-8 (RFC 6455 §5.6). The reader checks string bytes only when a string is
        // decoded, so without this an app could receive an event that throws when it reads a field.
        if (!System.Text.Unicode.Utf8.IsValid(frame))
        {
            return InboundFrame.Malformed("the frame is not valid UTF-8");
        }
#endif

        try
        {
            return classify(frame);
        }
        catch (JsonException ex)
        {
            return InboundFrame.Malformed($"invalid JSON ({ex.Message})");
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader throws this for invalid UTF-8 inside strings and similar.
            return InboundFrame.Malformed($"unreadable JSON ({ex.Message})");
        }
    }
}
