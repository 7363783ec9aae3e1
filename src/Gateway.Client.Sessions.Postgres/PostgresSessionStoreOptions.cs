using System.Text.RegularExpressions;

namespace Gateway.Client.Sessions.Postgres;

/// <summary>Settings of a <see cref="PostgresSessionStore"/>.</summary>
public sealed class PostgresSessionStoreOptions
{
    private const string IdentifierPattern = "^[A-Za-z_][A-Za-z0-9_]{0,62}$";

    private string? _schema;
    private string _tableName = "gateway_sessions";

    /// <summary>
    /// The schema the table is in, created on first use when missing; null (the default) for the connection's
    /// <c>search_path</c> (normally <c>public</c>). Every worker sharing the sessions must name the same schema and table.
    /// </summary>
    /// <exception cref="ArgumentException">The value is not a plain identifier (letters, digits and <c>_</c>, not starting with a digit, at most 63).</exception>
    public string? Schema
    {
        get => _schema;
        set => _schema = value is null || IsIdentifier(value)
            ? value
            : throw new ArgumentException("The schema must be a plain identifier: letters, digits and '_', not starting with a digit, at most 63.", nameof(value));
    }

    /// <summary>The table the sessions are kept in, created on first use; <c>gateway_sessions</c> by default.</summary>
    /// <exception cref="ArgumentException">The value is not a plain identifier (letters, digits and <c>_</c>, not starting with a digit, at most 63).</exception>
    public string TableName
    {
        get => _tableName;
        set => _tableName = value is not null && IsIdentifier(value)
            ? value
            : throw new ArgumentException("The table name must be a plain identifier: letters, digits and '_', not starting with a digit, at most 63.", nameof(value));
    }

    private static bool IsIdentifier(string value) => Regex.IsMatch(value, IdentifierPattern, RegexOptions.CultureInvariant);
}
