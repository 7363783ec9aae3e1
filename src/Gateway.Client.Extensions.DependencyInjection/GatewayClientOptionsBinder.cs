using Gateway.Client.OpenClaw;
using Gateway.Client.Praxis;
using Microsoft.Extensions.Configuration;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// Reads <see cref="GatewayClientOptions"/> from a configuration section with the source-generated configuration
/// binder (no reflection: trimming- and AOT-safe), told to reject a key that is no option
/// (<see cref="BinderOptions.ErrorOnUnknownConfiguration"/>). The options, <c>Reconnect</c> and each dialect's section
/// are bound one by one, so that an unknown key's error names the section it is in; a value that does not convert
/// names its full key (the binder's own message). Keys that are absent keep their defaults.
/// <para>What the generated binder cannot do is done here, and those keys are kept out of its sight
/// (<see cref="ConfigurationWithout"/>): <c>Token</c> becomes a <see cref="GatewayClientOptions.TokenProvider"/>;
/// <c>Dialect</c> is read by its name; a list replaces its default (the binder would add to it) and may be one
/// comma-separated value (the binder would ignore it); an option that holds code is refused by name rather than
/// reported as unknown or ignored.</para>
/// </summary>
internal static class GatewayClientOptionsBinder
{
    private const string Token = "Token";

    private static readonly Action<BinderOptions> RejectUnknownKeys = static binder => binder.ErrorOnUnknownConfiguration = true;

    /// <summary>The keys read here as one value each, rather than by the generated binder of the options object.</summary>
    private static readonly string[] ValuesReadHere =
    {
        Token,
        nameof(GatewayClientOptions.Dialect),
        nameof(GatewayClientOptions.ResumeFrom),
    };

    /// <summary>The sections bound here, each by a generated binder of its own.</summary>
    private static readonly string[] SectionsReadHere =
    {
        nameof(GatewayClientOptions.Reconnect),
        nameof(ProtocolDialect.OpenClaw),
        nameof(ProtocolDialect.Praxis),
    };

    /// <summary>Every key hidden from the generated binder of the options object.</summary>
    private static readonly string[] ReadHere = [.. ValuesReadHere, .. SectionsReadHere];

    /// <summary>Options that hold code, which no text can express, and where their value comes from instead.</summary>
    private static readonly (string Option, string Instead)[] CodeOnly =
    {
        (nameof(GatewayClientOptions.TokenProvider), "a fixed token is the key 'Token'; a token that changes needs"),
        (nameof(GatewayClientOptions.TimeProvider), "the container's TimeProvider is used; another needs"),
        (nameof(GatewayClientOptions.MeterFactory), "the container's IMeterFactory is used; another needs"),
        (nameof(GatewayClientOptions.ConfigureWebSocket), "it needs"),
        (nameof(GatewayClientOptions.RemoteCertificateValidationCallback), "it needs"),
        (nameof(GatewayClientOptions.TypeInfoResolver), "it needs"),
    };

    /// <exception cref="InvalidOperationException">A key is no option, holds code, or its value does not convert; the message names it.</exception>
    public static void Bind(IConfiguration configuration, GatewayClientOptions options)
    {
        foreach (var (option, instead) in CodeOnly)
        {
            var key = configuration.GetSection(option);
            if (key.Exists())
            {
                throw new InvalidOperationException(
                    $"Configuration key '{key.Path}' cannot be set from configuration: GatewayClientOptions.{option} holds code ({instead} AddGatewayClient(...).Configure(o => o.{option} = ...)).");
            }
        }

        // The keys read here are hidden from the generated binder, so it cannot report a wrong shape for them: a value
        // written as a section (a resume point as an object, say) or a section written as one value would be ignored.
        foreach (var key in ValuesReadHere)
        {
            if (configuration.GetSection(key).GetChildren().Any())
            {
                throw new InvalidOperationException($"Configuration key '{configuration.GetSection(key).Path}' must be one value, not a section: {ShapeHint(key)}.");
            }
        }

        foreach (var key in SectionsReadHere)
        {
            if (configuration.GetSection(key).Value is { } value)
            {
                throw new InvalidOperationException($"Configuration key '{configuration.GetSection(key).Path}' = '{value}' must be a section of settings, not one value.");
            }
        }

        if (configuration[Token] is { } token)
        {
            options.TokenProvider = _ => new ValueTask<string?>(token);
        }

        Parse(configuration, nameof(GatewayClientOptions.Dialect), ParseDialect, dialect => options.Dialect = dialect);
        Parse(configuration, nameof(GatewayClientOptions.ResumeFrom), GatewayResumePoint.Parse, point => options.ResumeFrom = point);
        ReplaceList(configuration, nameof(GatewayClientOptions.AnnouncedCapabilities), list => options.AnnouncedCapabilities = list);
        Strictly(configuration, () => new ConfigurationWithout(configuration, ReadHere).Bind(options, RejectUnknownKeys));

        if (Present(configuration, nameof(GatewayClientOptions.Reconnect)) is { } reconnect)
        {
            Strictly(reconnect, () => reconnect.Bind(options.Reconnect, RejectUnknownKeys));
        }

        // One block per dialect with settings: the generated binder binds the type named at each call.
        if (Present(configuration, nameof(ProtocolDialect.OpenClaw)) is { } openClawSection)
        {
            var openClaw = options.GetDialectOptions<OpenClawOptions>();
            ReplaceList(openClawSection, nameof(OpenClawOptions.Scopes), list => openClaw.Scopes = list);
            Strictly(openClawSection, () => openClawSection.Bind(openClaw, RejectUnknownKeys));
        }

        if (Present(configuration, nameof(ProtocolDialect.Praxis)) is { } praxisSection)
        {
            var praxis = options.GetDialectOptions<PraxisOptions>();
            ReplaceList(praxisSection, nameof(PraxisOptions.EventTypes), list => praxis.EventTypes = list);
            Strictly(praxisSection, () => praxisSection.Bind(praxis, RejectUnknownKeys));
        }
    }

    /// <summary>
    /// Runs one generated bind. Its unknown-key error, the one it throws without an inner exception (a failed conversion
    /// carries the parse error and names its full key already), names only the key: this adds the section's path.
    /// </summary>
    internal static void Strictly(IConfiguration section, Action bind)
    {
        try
        {
            bind();
        }
        catch (InvalidOperationException unknownKey) when (unknownKey.InnerException is null)
        {
            var where = section is IConfigurationSection named ? $"Configuration section '{named.Path}'" : "The configuration root";
            throw new InvalidOperationException($"{where} has a key that is not an option (misspelled?): {unknownKey.Message}", unknownKey);
        }
    }

    /// <summary>
    /// A value the generated binder cannot convert, parsed by <paramref name="parse"/>: its <see cref="FormatException"/>
    /// says what is wrong. The step for a property bound from text by a <c>Parse</c> method: its key goes in
    /// <see cref="ReadHere"/>, and one call here binds it.
    /// </summary>
    private static void Parse<T>(IConfiguration section, string key, Func<string, T> parse, Action<T> apply)
    {
        if (section[key] is not { } value)
        {
            return;
        }

        T parsed;
        try
        {
            parsed = parse(value);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException($"Configuration value '{section.GetSection(key).Path}' = '{value}' is not valid: {ex.Message}", ex);
        }

        apply(parsed);
    }

    private static string ShapeHint(string key) => key switch
    {
        nameof(GatewayClientOptions.ResumeFrom) => "the resume point's text, as GatewayResumePoint.ToString() writes it (\"gr1....\")",
        nameof(GatewayClientOptions.Dialect) => "the dialect's name",
        _ => "the token itself",
    };

    private static ProtocolDialect ParseDialect(string name) =>
        ProtocolDialects.TryParse(name, out var dialect)
            ? dialect
            : throw new FormatException("expected one of " + string.Join(", ", ProtocolDialects.All.Select(ProtocolDialects.NameOf)) + ".");

    /// <summary>
    /// A configured list replaces the default: given as an array (<c>Key:0</c>, <c>Key:1</c>, …) it starts empty and the
    /// generated binder adds the items; given as one comma-separated value (which the binder would ignore) it is split here.
    /// </summary>
    private static void ReplaceList(IConfiguration section, string key, Action<IList<string>> set)
    {
        var list = section.GetSection(key);
        if (list.GetChildren().Any())
        {
            set(new List<string>());
        }
        else if (list.Value is { } joined)
        {
            set(joined.Split(',').Select(item => item.Trim()).Where(item => item.Length > 0).ToList());
        }
    }

    private static IConfigurationSection? Present(IConfiguration configuration, string key) =>
        configuration.GetSection(key) is var section && section.Exists() ? section : null;
}
