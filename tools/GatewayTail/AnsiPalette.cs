using Gateway.Client;
using Microsoft.Extensions.Logging;

namespace GatewayTail;

/// <summary>SGR colours for one stream; when colour is off (see <see cref="ColorDecision"/>) every text is left as it is.</summary>
internal sealed class AnsiPalette
{
    private const string Red = "31";
    private const string Green = "32";
    private const string Yellow = "33";
    private const string Cyan = "36";
    private const string Faint = "2";

    public AnsiPalette(bool enabled) => Enabled = enabled;

    public bool Enabled { get; }

    /// <summary>The word a state change, gap or error line starts with, in the colour of what it says.</summary>
    public string State(ConnectionState state) => Paint("state:", state switch
    {
        ConnectionState.Connected => Green,
        ConnectionState.Failed => Red,
        ConnectionState.Disconnected => Faint,
        _ => Yellow,
    });

    public string Gap() => Paint("gap:", Yellow);

    public string Error() => Paint("error:", Red);

    public string Level(LogLevel level, string name) => Paint(name, level switch
    {
        >= LogLevel.Error => Red,
        LogLevel.Warning => Yellow,
        LogLevel.Information => Green,
        _ => Faint,
    });

    public string EventType(string type) => Paint(type, Cyan);

    public string Quiet(string text) => Paint(text, Faint);

    private string Paint(string text, string sgr) => Enabled ? $"\u001b[{sgr}m{text}\u001b[0m" : text;
}
