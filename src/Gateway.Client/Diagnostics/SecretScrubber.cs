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

        var escaped = Uri.EscapeDataString(token!);
        return new GatewayException(
            $"{exception.GetType().FullName}: {exception.Message.Replace(token!, "(redacted)").Replace(escaped, "(redacted)")}",
            exception.InnerException is null ? null : Scrub(exception.InnerException, token));
    }

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
