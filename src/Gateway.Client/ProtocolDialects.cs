using Gateway.Client.Dialects;

namespace Gateway.Client;

/// <summary>
/// The dialects this version of the client speaks, and their names in configuration, on the command
/// line and in telemetry (<c>"praisonai"</c>, <c>"openclaw"</c>).
/// </summary>
public static class ProtocolDialects
{
    /// <summary>Every dialect, in the order they are documented.</summary>
    public static IReadOnlyList<ProtocolDialect> All { get; } = DialectCatalog.Entries.Select(e => e.Value).ToArray();

    /// <summary>The dialect's name (lower case), for example <c>"openclaw"</c>.</summary>
    /// <exception cref="ArgumentException">The value is not a dialect.</exception>
    public static string NameOf(ProtocolDialect dialect) => DialectCatalog.For(dialect).Name;

    /// <summary>The dialect named <paramref name="name"/> (any case; the enum member's name works too).</summary>
    public static bool TryParse(string? name, out ProtocolDialect dialect)
    {
        if (name is not null && DialectCatalog.Find(name.Trim()) is { } entry)
        {
            dialect = entry.Value;
            return true;
        }

        dialect = default;
        return false;
    }
}
