using System.Globalization;
using System.Text;

namespace GatewayTail;

/// <summary>
/// Text from the server made safe to print on a terminal: control characters (C0, DEL, C1, among them ESC) become
/// <c>\uXXXX</c>, so a hostile gateway cannot move the cursor, retitle the window or hide lines with escape sequences.
/// </summary>
internal static class TerminalText
{
    public static string Printable(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        var safe = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                safe.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                safe.Append(c);
            }
        }

        return safe.ToString();
    }
}
