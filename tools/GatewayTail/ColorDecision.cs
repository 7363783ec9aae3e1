namespace GatewayTail;

/// <summary>
/// Whether a stream gets colour: only a terminal does, and only when <c>NO_COLOR</c> is unset or empty
/// (https://no-color.org: present and not empty disables colour) and <c>TERM</c> is not <c>dumb</c>.
/// </summary>
internal static class ColorDecision
{
    public static bool ShouldColor(bool isTerminal, Func<string, string?> environment) =>
        isTerminal
        && string.IsNullOrEmpty(environment("NO_COLOR"))
        && !string.Equals(environment("TERM"), "dumb", StringComparison.Ordinal);
}
