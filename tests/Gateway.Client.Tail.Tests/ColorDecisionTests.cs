using GatewayTail;

namespace Gateway.Client.Tail.Tests;

/// <summary>Colour only on a terminal, unless NO_COLOR is set and not empty (no-color.org) or TERM is dumb.</summary>
public class ColorDecisionTests
{
    [Theory]
    [InlineData(true, null, "xterm-256color", true)]
    [InlineData(true, null, null, true)]
    [InlineData(true, "", "xterm", true)] // present but empty: colour stays on
    [InlineData(false, null, "xterm", false)]
    [InlineData(true, "1", "xterm", false)]
    [InlineData(true, "false", "xterm", false)] // any non-empty value disables it
    [InlineData(true, null, "dumb", false)]
    [InlineData(false, "1", "dumb", false)]
    public void Colour_needs_a_terminal_no_NO_COLOR_and_a_terminal_that_is_not_dumb(bool isTerminal, string? noColor, string? term, bool expected)
    {
        string? Environment(string name) => name switch
        {
            "NO_COLOR" => noColor,
            "TERM" => term,
            _ => null,
        };

        Assert.Equal(expected, ColorDecision.ShouldColor(isTerminal, Environment));
    }
}
