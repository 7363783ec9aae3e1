using Gateway.Client;
using GatewayTail;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Client.Tail.Tests;

/// <summary>What the server names is printed, never obeyed: control characters in text lines are escaped.</summary>
public class TerminalTextTests
{
    [Theory]
    [InlineData("message", "message")]
    [InlineData("\u001b[2Jcleared", "\\u001b[2Jcleared")]
    [InlineData("a\rb\u007f\u009bc", "a\\u000db\\u007f\\u009bc")]
    public void Control_characters_become_escapes(string text, string printed) => Assert.Equal(printed, TerminalText.Printable(text));

    [Fact]
    public void A_text_line_shows_a_hostile_event_type_escaped()
    {
        var lines = new EventLines(OutputFormat.Text, frames: false, new AnsiPalette(false), new FakeTimeProvider());
        var e = GatewayModelFactory.GatewayEvent("\u001b]0;pwned\u0007", sequence: 1, frame: System.Text.Json.JsonDocument.Parse("""{"type":"x","data":{}}""").RootElement);

        var line = lines.Format(e);

        Assert.DoesNotContain('\u001b', line);
        Assert.Contains("\\u001b]0;pwned\\u0007", line, StringComparison.Ordinal);
    }
}
