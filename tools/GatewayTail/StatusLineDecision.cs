namespace GatewayTail;

/// <summary>
/// Whether stderr gets the live status line, which is redrawn in place with escape sequences: only on a terminal that
/// understands them (<c>TERM</c> is not <c>dumb</c>), and not with <c>--no-status</c>. Colour is a separate choice
/// (<see cref="ColorDecision"/>): <c>NO_COLOR</c> turns colour off, not the status line.
/// </summary>
internal static class StatusLineDecision
{
    public static bool ShouldDraw(bool isTerminal, bool noStatus, Func<string, string?> environment) =>
        isTerminal
        && !noStatus
        && !string.Equals(environment("TERM"), "dumb", StringComparison.Ordinal);
}
