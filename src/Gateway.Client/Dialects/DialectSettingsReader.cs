using System.Globalization;

namespace Gateway.Client;

/// <summary>
/// Reads a dialect's settings from flat configuration-style keys (see <see cref="DialectOptions.Bind"/>):
/// a value that does not parse names its full key and what was expected.
/// </summary>
internal sealed class DialectSettingsReader
{
    private readonly Func<string, string?> _read;
    private readonly string? _sectionPath;

    public DialectSettingsReader(Func<string, string?> read, string? sectionPath)
    {
        _read = read;
        _sectionPath = sectionPath;
    }

    public void String(string key, Action<string> apply)
    {
        if (_read(key) is { } value)
        {
            apply(value);
        }
    }

    public void Int(string key, Action<int> apply) => String(key, value => apply(
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : throw Invalid(key, value, "a whole number")));

    public void Bool(string key, Action<bool> apply) => String(key, value => apply(
        bool.TryParse(value, out var parsed) ? parsed : throw Invalid(key, value, "true or false")));

    public void TimeSpan(string key, Action<TimeSpan> apply) => String(key, value => apply(
        System.TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var parsed) ? parsed : throw Invalid(key, value, "a duration such as 00:00:30")));

    /// <summary>A list given as <c>Key:0</c>, <c>Key:1</c>, … or as one comma-separated <c>Key</c>; an empty value is an empty list.</summary>
    public void List(string key, Action<List<string>> apply)
    {
        var items = new List<string>();
        for (var i = 0; _read(key + ":" + i.ToString(CultureInfo.InvariantCulture)) is { } item; i++)
        {
            items.Add(item);
        }

        if (items.Count > 0)
        {
            apply(items);
        }
        else if (_read(key) is { } joined)
        {
            apply(joined.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()).Where(s => s.Length > 0).ToList());
        }
    }

    private InvalidOperationException Invalid(string key, string value, string expected)
    {
        var path = string.IsNullOrEmpty(_sectionPath) ? key : _sectionPath + ":" + key;
        return new InvalidOperationException($"Configuration value '{path}' = '{value}' is not valid: expected {expected}.");
    }
}
