using GatewayTail;

namespace Gateway.Client.Tail.Tests;

/// <summary>The live status line (redrawn in place with escape sequences) only on a terminal that is not dumb, and not with --no-status.</summary>
public class StatusLineDecisionTests
{
    [Theory]
    [InlineData(true, false, "xterm-256color", null, true)]
    [InlineData(true, false, null, null, true)]
    [InlineData(true, false, "xterm", "1", true)] // NO_COLOR is about colour, not the status line
    [InlineData(true, false, "dumb", null, false)]
    [InlineData(true, true, "xterm", null, false)]
    [InlineData(false, false, "xterm", null, false)]
    public void The_status_line_needs_a_terminal_that_is_not_dumb(bool isTerminal, bool noStatus, string? term, string? noColor, bool expected)
    {
        string? Environment(string name) => name switch
        {
            "TERM" => term,
            "NO_COLOR" => noColor,
            _ => null,
        };

        Assert.Equal(expected, StatusLineDecision.ShouldDraw(isTerminal, noStatus, Environment));
    }
}
