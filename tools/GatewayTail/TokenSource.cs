namespace GatewayTail;

/// <summary>
/// Where the gateway token comes from: <c>--token-file</c> (its first line, trimmed) or <c>--token</c>, else the
/// <see cref="EnvironmentVariable"/>. A token on the command line is visible to every user in the process list,
/// so the docs show only the file and the variable. Messages name the file, never the token.
/// </summary>
internal static class TokenSource
{
    public const string EnvironmentVariable = "GATEWAY_TOKEN";

    /// <summary>The token, or null when none was given; throws <see cref="UsageException"/> for a file that gives none.</summary>
    public static string? Resolve(string? token, string? tokenFile, Func<string, string?> environment)
    {
        if (token is not null && tokenFile is not null)
        {
            throw new UsageException("Give the token one way: --token-file or --token, not both.");
        }

        if (tokenFile is not null)
        {
            return ReadFirstLine(tokenFile);
        }

        if (token is not null)
        {
            return token.Length > 0 ? token : throw new UsageException("--token is empty.");
        }

        // An empty variable is an unset one (`GATEWAY_TOKEN= gateway-tail ...`).
        return environment(EnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
    }

    private static string ReadFirstLine(string path)
    {
        string? line;
        try
        {
            using var reader = new StreamReader(path);
            line = reader.ReadLine();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException(ex is FileNotFoundException or DirectoryNotFoundException
                ? $"--token-file: '{path}' does not exist."
                : $"--token-file: '{path}' cannot be read ({ex.Message})");
        }

        var trimmed = line?.Trim();
        return string.IsNullOrEmpty(trimmed)
            ? throw new UsageException($"--token-file: the first line of '{path}' is empty; it must hold the token.")
            : trimmed;
    }
}
