namespace Gateway.Client;

/// <summary>Keeps a token out of exception chains that the client passes on.</summary>
internal static class SecretScrubber
{
    /// <summary>
    /// Returns <paramref name="exception"/> when no message in its chain contains the token; otherwise a
    /// stand-in that keeps the exception types and redacted messages but not the originals.
    /// </summary>
    public static Exception Scrub(Exception exception, string? token)
    {
        if (string.IsNullOrEmpty(token) || !Leaks(exception, token!))
        {
            return exception;
        }

        return new GatewayException(
            $"{exception.GetType().FullName}: {Redact(exception.Message, token)}",
            exception.InnerException is null ? null : Scrub(exception.InnerException, token));
    }

    /// <summary><paramref name="message"/> with the token, plain or URL-escaped, replaced by "(redacted)".</summary>
    public static string Redact(string message, string? token) =>
        string.IsNullOrEmpty(token) ? message : message.Replace(token!, "(redacted)").Replace(Uri.EscapeDataString(token!), "(redacted)");

    private static bool Leaks(Exception exception, string token)
    {
        var escaped = Uri.EscapeDataString(token);
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current.Message.Contains(token) || current.Message.Contains(escaped))
            {
                return true;
            }
        }

        return false;
    }
}
