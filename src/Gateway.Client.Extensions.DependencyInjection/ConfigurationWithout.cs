using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// A configuration section as the generated binder is to see it: without the keys that
/// <see cref="GatewayClientOptionsBinder"/> reads itself, so that it neither binds them nor reports them as
/// unknown. Read-only; the paths stay the real ones, so the binder's messages name the real keys.
/// </summary>
internal sealed class ConfigurationWithout : IConfigurationSection
{
    private readonly IConfiguration _configuration;
    private readonly IReadOnlyCollection<string>? _hiddenKeys; // null: everything is hidden

    /// <summary>A view of <paramref name="configuration"/> without <paramref name="hiddenKeys"/> (in any case, as configuration keys match).</summary>
    public ConfigurationWithout(IConfiguration configuration, IReadOnlyCollection<string>? hiddenKeys)
    {
        _configuration = configuration;
        _hiddenKeys = hiddenKeys;
    }

    public string Key => (_configuration as IConfigurationSection)?.Key ?? string.Empty;

    public string Path => (_configuration as IConfigurationSection)?.Path ?? string.Empty;

    public string? Value
    {
        get => _hiddenKeys is null ? null : (_configuration as IConfigurationSection)?.Value;
        set => throw new NotSupportedException();
    }

    public string? this[string key]
    {
        get => IsHidden(key) ? null : _configuration[key];
        set => throw new NotSupportedException();
    }

    public IEnumerable<IConfigurationSection> GetChildren() => _configuration.GetChildren().Where(child => !IsHidden(child.Key));

    // A hidden key looks absent: an empty section at its real path.
    public IConfigurationSection GetSection(string key) =>
        IsHidden(key) ? new ConfigurationWithout(_configuration.GetSection(key), hiddenKeys: null) : _configuration.GetSection(key);

    public IChangeToken GetReloadToken() => _configuration.GetReloadToken();

    private bool IsHidden(string key) => _hiddenKeys is null || _hiddenKeys.Contains(key, StringComparer.OrdinalIgnoreCase);
}
