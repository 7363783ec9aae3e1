using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.Client;

namespace GatewayTail;

/// <summary>
/// Turns each event into its stdout line, as <c>--format</c> says. JSON stays valid one object per line; both formats
/// write non-ASCII text as UTF-8 rather than <c>\uXXXX</c> escapes (quotes and control characters are still escaped,
/// so a line never breaks).
/// </summary>
internal sealed class EventLines : IDisposable
{
    private readonly OutputFormat _format;
    private readonly bool _frames;
    private readonly AnsiPalette _palette;
    private readonly TimeProvider _time;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;

    public EventLines(OutputFormat format, bool frames, AnsiPalette palette, TimeProvider time)
    {
        _format = format;
        _frames = frames;
        _palette = palette;
        _time = time;
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public string Format(GatewayEvent e) => _format == OutputFormat.Text ? Text(e) : Json(e);

    public void Dispose() => _json.Dispose();

    private string Json(GatewayEvent e)
    {
        Start();
        _json.WriteStartObject();
        if (e.Sequence is { } sequence)
        {
            _json.WriteNumber("seq", sequence);
        }
        else
        {
            _json.WriteNull("seq");
        }

        _json.WriteString("type", e.Type);
        _json.WriteBoolean("replay", e.IsReplay);
        _json.WritePropertyName("data");
        e.Data.WriteTo(_json);
        if (_frames)
        {
            _json.WritePropertyName("frame");
            e.Frame.WriteTo(_json);
        }

        _json.WriteEndObject();
        return Written();
    }

    /// <summary><c>12:04:05.123 #41 message {"text":"hi"}</c>: the event's own time when it has one, else when it arrived (local time).</summary>
    private string Text(GatewayEvent e)
    {
        var time = TimeZoneInfo.ConvertTime(e.Timestamp ?? _time.GetUtcNow(), _time.LocalTimeZone);
        var line = new StringBuilder()
            .Append(_palette.Quiet(time.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)))
            .Append(' ')
            .Append(e.Sequence is { } sequence ? "#" + sequence.ToString(CultureInfo.InvariantCulture) : "#-")
            .Append(' ')
            .Append(_palette.EventType(TerminalText.Printable(e.Type)));
        if (e.IsReplay)
        {
            line.Append(' ').Append(_palette.Quiet("(replay)"));
        }

        line.Append(' ').Append(Compact(e.Data));
        if (_frames)
        {
            line.Append(' ').Append(_palette.Quiet("frame=")).Append(Compact(e.Frame));
        }

        return line.ToString();
    }

    /// <summary>The element on one line, whatever whitespace the server sent.</summary>
    private string Compact(JsonElement element)
    {
        Start();
        element.WriteTo(_json);
        return Written();
    }

    private void Start()
    {
        _buffer.Clear();
        _json.Reset();
    }

    private string Written()
    {
        _json.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }
}
