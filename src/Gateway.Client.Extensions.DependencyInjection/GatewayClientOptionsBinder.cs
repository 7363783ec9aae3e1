using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// Reads <see cref="GatewayClientOptions"/> from a configuration section by hand: no reflection (so it
/// is trimming- and AOT-safe), and a value that does not parse names its full key. Keys that are
/// absent leave the default; <c>Token</c> becomes a <see cref="GatewayClientOptions.TokenProvider"/>.
/// Each dialect's settings bind themselves (<see cref="DialectOptions.Bind"/>) from the section named after it.
/// </summary>
internal static class GatewayClientOptionsBinder
{
    public static void Bind(IConfiguration section, GatewayClientOptions options)
    {
        Read(section, "Url", value => options.Url = ParseUri(section, "Url", value));
        Read(section, "Name", value => options.Name = value);
        Read(section, "AgentId", value => options.AgentId = value);
        Read(section, "Token", value =>
        {
            var token = value;
            options.TokenProvider = _ => new ValueTask<string?>(token);
        });
        Read(section, "TokenPlacement", value => options.TokenPlacement = ParseEnum<TokenPlacement>(section, "TokenPlacement", value));
        Read(section, "Dialect", value => options.Dialect = ProtocolDialects.TryParse(value, out var dialect)
            ? dialect
            : throw Invalid(section, "Dialect", value, "one of " + string.Join(", ", ProtocolDialects.All.Select(ProtocolDialects.NameOf))));
        ReadList(section, "Capabilities", list => options.Capabilities = list);
        Read(section, "MinProtocol", value => options.MinProtocol = ParseInt(section, "MinProtocol", value));
        Read(section, "MaxProtocol", value => options.MaxProtocol = ParseInt(section, "MaxProtocol", value));
        Read(section, "AllowLegacyHandshake", value => options.AllowLegacyHandshake = ParseBool(section, "AllowLegacyHandshake", value));
        Read(section, "HandshakeTimeout", value => options.HandshakeTimeout = ParseTimeSpan(section, "HandshakeTimeout", value));
        Read(section, "EventBufferCapacity", value => options.EventBufferCapacity = ParseInt(section, "EventBufferCapacity", value));
        Read(section, "MaxReceiveMessageBytes", value => options.MaxReceiveMessageBytes = ParseInt(section, "MaxReceiveMessageBytes", value));
        Read(section, "Backpressure", value => options.Backpressure = ParseEnum<BackpressureMode>(section, "Backpressure", value));
        Read(section, "HeartbeatInterval", value => options.HeartbeatInterval = ParseTimeSpan(section, "HeartbeatInterval", value));
        Read(section, "SendTimeout", value => options.SendTimeout = ParseTimeSpan(section, "SendTimeout", value));
        Read(section, "RequestTimeout", value => options.RequestTimeout = ParseTimeSpan(section, "RequestTimeout", value));
        Read(section, "CloseTimeout", value => options.CloseTimeout = ParseTimeSpan(section, "CloseTimeout", value));
        Read(section, "ResumeFrom", value => options.ResumeFrom = ParseResumePoint(section, "ResumeFrom", value));

        var reconnect = section.GetSection("Reconnect");
        Read(reconnect, "Enabled", value => options.Reconnect.Enabled = ParseBool(reconnect, "Enabled", value));
        Read(reconnect, "InitialDelay", value => options.Reconnect.InitialDelay = ParseTimeSpan(reconnect, "InitialDelay", value));
        Read(reconnect, "MaxDelay", value => options.Reconnect.MaxDelay = ParseTimeSpan(reconnect, "MaxDelay", value));
        Read(reconnect, "Multiplier", value => options.Reconnect.Multiplier = ParseDouble(reconnect, "Multiplier", value));
        Read(reconnect, "Jitter", value => options.Reconnect.Jitter = ParseDouble(reconnect, "Jitter", value));
        Read(reconnect, "MaxAttempts", value => options.Reconnect.MaxAttempts = ParseInt(reconnect, "MaxAttempts", value));
        Read(reconnect, "RetryInitialConnect", value => options.Reconnect.RetryInitialConnect = ParseBool(reconnect, "RetryInitialConnect", value));
        Read(reconnect, "HealthyConnectionTime", value => options.Reconnect.HealthyConnectionTime = ParseTimeSpan(reconnect, "HealthyConnectionTime", value));
        Read(reconnect, "MaxResumesWithoutProgress", value => options.Reconnect.MaxResumesWithoutProgress = ParseInt(reconnect, "MaxResumesWithoutProgress", value));

        // Each dialect binds its own settings from the section named after it ("OpenClaw", "Praxis").
        foreach (var dialect in ProtocolDialects.All)
        {
            var child = section.GetSection(dialect.ToString());
            if (child.Exists() && options.GetDialectOptions(dialect) is { } settings)
            {
                settings.Bind(key => child[key], child.Path);
            }
        }
    }

    private static void Read(IConfiguration section, string key, Action<string> apply)
    {
        if (section[key] is { } value)
        {
            apply(value);
        }
    }

    /// <summary>A list given as an array section (<c>Capabilities:0</c>, <c>Capabilities:1</c>) or as one comma-separated value.</summary>
    private static void ReadList(IConfiguration section, string key, Action<List<string>> apply)
    {
        var child = section.GetSection(key);
        var items = child.GetChildren().Select(c => c.Value).Where(v => v is not null).Select(v => v!).ToList();
        if (items.Count == 0 && child.Value is { } joined)
        {
            items = joined.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()).ToList();
        }

        if (items.Count > 0 || child.Value is not null)
        {
            apply(items);
        }
    }

    private static Uri ParseUri(IConfiguration section, string key, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri : throw Invalid(section, key, value, "an absolute ws:// or wss:// URL");

    private static int ParseInt(IConfiguration section, string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : throw Invalid(section, key, value, "a whole number");

    private static GatewayResumePoint ParseResumePoint(IConfiguration section, string key, string value)
    {
        try
        {
            return GatewayResumePoint.Parse(value);
        }
        catch (FormatException ex)
        {
            throw Invalid(section, key, value, $"a resume point as GatewayResumePoint.ToString() writes it ({ex.Message})");
        }
    }

    private static double ParseDouble(IConfiguration section, string key, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : throw Invalid(section, key, value, "a number such as 0.2");

    private static bool ParseBool(IConfiguration section, string key, string value) =>
        bool.TryParse(value, out var parsed) ? parsed : throw Invalid(section, key, value, "true or false");

    private static TimeSpan ParseTimeSpan(IConfiguration section, string key, string value) =>
        TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var parsed) ? parsed : throw Invalid(section, key, value, "a duration such as 00:00:30");

    private static T ParseEnum<T>(IConfiguration section, string key, string value)
        where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(typeof(T), parsed)
            ? parsed
            : throw Invalid(section, key, value, "one of " + string.Join(", ", Enum.GetNames(typeof(T))));

    private static InvalidOperationException Invalid(IConfiguration section, string key, string value, string expected)
    {
        var path = section is IConfigurationSection named ? $"{named.Path}:{key}" : key;
        var shown = key == "Token" ? "(redacted)" : value;
        return new InvalidOperationException($"Configuration value '{path}' = '{shown}' is not valid: expected {expected}.");
    }
}
