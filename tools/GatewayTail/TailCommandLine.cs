using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using Gateway.Client;
using Microsoft.Extensions.Logging;

namespace GatewayTail;

/// <summary>
/// gateway-tail's command line on System.CommandLine: its options (with this tool's own messages for a wrong value),
/// help, <c>--version</c> and the <c>[suggest]</c> directive that dotnet-suggest's tab completion asks.
/// <see cref="Errors"/> lists what is wrong; <see cref="Bind"/> turns a correct line into <see cref="TailOptions"/>.
/// </summary>
internal sealed class TailCommandLine
{
    private static readonly string[] DialectNames = ProtocolDialects.All.Select(ProtocolDialects.NameOf).ToArray();

    private readonly Argument<Uri?> _url = new("url")
    {
        Description = "the gateway's WebSocket endpoint: ws://host:port/path or wss://...",
        CustomParser = ParseUrl,
    };

    private readonly Option<string?> _tokenFile = new("--token-file")
    {
        HelpName = "path",
        Description = $"read the gateway token from the first line of this file (default: the {TokenSource.EnvironmentVariable} environment variable)",
    };

    private readonly Option<string?> _token = new("--token")
    {
        HelpName = "token",
        Description = $"the gateway token; other users can see it in the process list: prefer --token-file or {TokenSource.EnvironmentVariable}",
    };

    private readonly Option<string?> _agent = new("--agent")
    {
        HelpName = "id",
        Description = "the agent to talk to (gateway dialect; default: \"default\")",
    };

    private readonly Option<ProtocolDialect?> _dialect = new("--dialect")
    {
        HelpName = "name",
        Description = $"{string.Join(", ", DialectNames)} (default: praisonai)",
        CustomParser = ParseDialect,
    };

    private readonly Option<GatewayResumePoint?> _resume = new("--resume")
    {
        HelpName = "point",
        Description = "resume after the event this point names (replays what came after it); the point is what a previous run printed as \"resume: <point>\"",
        CustomParser = ParseResumePoint,
    };

    private readonly Option<OutputFormat?> _format = new("--format")
    {
        HelpName = "json|text",
        Description = "json (default): one JSON object per event; text: one line per event for a person (time, seq, type, data)",
        CustomParser = ParseFormat,
    };

    private readonly Option<bool> _frames = new("--frames") { Description = "also print each event's whole frame as received (\"frame\")" };

    private readonly Option<long?> _maxEvents = new("--max-events")
    {
        HelpName = "n",
        Description = "exit 0 after printing n events",
        CustomParser = result => Number(result, long.MaxValue),
    };

    private readonly Option<bool> _wait = new("--wait")
    {
        Description = "wait for a gateway that is not up yet: the first connection retries with the reconnect backoff (counted by --max-attempts; -v shows each attempt)",
    };

    private readonly Option<int?> _maxAttempts = new("--max-attempts")
    {
        HelpName = "n",
        Description = "give up after n failed connection attempts in a row (reconnects; the first connection too with --wait; default: unlimited)",
        CustomParser = result => (int?)Number(result, int.MaxValue),
    };

    private readonly Option<string?> _pinCertificate = new("--pin-certificate")
    {
        HelpName = "sha1",
        Description = "accept a wss:// certificate with this SHA-1 thumbprint (self-signed)",
    };

    private readonly Option<bool> _noStatus = new("--no-status") { Description = "never draw the status line" };

    private readonly Option<bool> _verbose = new("--verbose", "-v")
    {
        Description = "the client library's logs on stderr: -v information, -vv debug, -vvv trace",
    };

    public TailCommandLine()
    {
        // The names this tool takes, not the enum members' (which System.CommandLine would suggest for a nullable enum).
        _dialect.CompletionSources.Clear();
        _dialect.CompletionSources.Add(DialectNames);
        _format.CompletionSources.Clear();
        _format.CompletionSources.Add("json", "text");
        Root = new RootCommand(TailHelp.Description);
        Root.Arguments.Add(_url);
        foreach (var option in new Option[] { _tokenFile, _token, _agent, _dialect, _resume, _format, _frames, _maxEvents, _wait, _maxAttempts, _pinCertificate, _noStatus, _verbose })
        {
            Root.Options.Add(option);
        }

        foreach (var option in Root.Options)
        {
            option.Action = option switch
            {
                HelpOption => new TailHelp(),
                VersionOption => new VersionAction(),
                _ => option.Action,
            };
        }
    }

    /// <summary>The command; its own action is the tail, set by the caller.</summary>
    public RootCommand Root { get; }

    /// <summary>What is wrong with a command line that asks to tail, in this tool's words; empty when nothing is.</summary>
    public IReadOnlyList<string> Errors(ParseResult parse)
    {
        var unmatched = parse.UnmatchedTokens;
        var errors = unmatched.Where(t => t.StartsWith('-')).Select(t => $"Unknown option '{t}'.").ToList();
        foreach (var error in parse.Errors)
        {
            var message = error.SymbolResult switch
            {
                // A word nothing takes: said above for an option, and below for a second URL.
                CommandResult when unmatched.Any(t => error.Message.Contains($"'{t}'", StringComparison.Ordinal)) => null,
                ArgumentResult { Tokens.Count: 0 } missing when missing.Argument == _url => "The gateway URL is required.",
                _ => error.Message,
            };
            if (message is not null && !errors.Contains(message))
            {
                errors.Add(message);
            }
        }

        // A stray word after an unknown option is most likely that option's value, not a second URL.
        if (errors.Count == 0 && unmatched.FirstOrDefault() is { } stray)
        {
            errors.Add($"One URL only; got '{parse.GetResult(_url)?.Tokens[0].Value}' and '{stray}'.");
        }

        return errors;
    }

    /// <summary>The settings of a command line with no <see cref="Errors"/>; a token file that gives no token is a <see cref="UsageException"/>.</summary>
    public TailOptions Bind(ParseResult parse, Func<string, string?> environment) => new()
    {
        Url = parse.GetValue(_url) ?? throw new UsageException("The gateway URL is required."),
        Token = TokenSource.Resolve(parse.GetValue(_token), parse.GetValue(_tokenFile), environment),
        AgentId = parse.GetValue(_agent) ?? "default",
        Dialect = parse.GetValue(_dialect) ?? ProtocolDialect.PraisonAI,
        ResumeFrom = parse.GetValue(_resume),
        Format = parse.GetValue(_format) ?? OutputFormat.Json,
        Frames = parse.GetValue(_frames),
        MaxEvents = parse.GetValue(_maxEvents),
        Wait = parse.GetValue(_wait),
        MaxAttempts = parse.GetValue(_maxAttempts),
        PinnedThumbprint = parse.GetValue(_pinCertificate)?.Replace(":", string.Empty, StringComparison.Ordinal).ToUpperInvariant(),
        NoStatus = parse.GetValue(_noStatus),
        LogLevel = parse.GetValue(_verbose) ? Verbosity(parse.GetResult(_verbose)!.IdentifierTokenCount) : null,
    };

    /// <summary>How many times -v was given (-vv is two): information, debug, then trace.</summary>
    private static LogLevel Verbosity(int count) => count switch
    {
        <= 1 => LogLevel.Information,
        2 => LogLevel.Debug,
        _ => LogLevel.Trace,
    };

    private static Uri? ParseUrl(ArgumentResult result)
    {
        var text = result.Tokens[0].Value;
        if (text.StartsWith('-'))
        {
            result.AddError($"Unknown option '{text}'.");
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != "ws" && url.Scheme != "wss"))
        {
            result.AddError($"'{text}' is not a ws:// or wss:// URL.");
            return null;
        }

        return url;
    }

    private static ProtocolDialect? ParseDialect(ArgumentResult result)
    {
        var text = result.Tokens[0].Value;
        if (ProtocolDialects.TryParse(text, out var dialect))
        {
            return dialect;
        }

        result.AddError($"--dialect must be {string.Join(" or ", DialectNames)}, not '{text}'.");
        return null;
    }

    private static GatewayResumePoint? ParseResumePoint(ArgumentResult result)
    {
        try
        {
            return GatewayResumePoint.Parse(result.Tokens[0].Value);
        }
        catch (FormatException ex)
        {
            result.AddError($"--resume needs a point as gateway-tail printed it (\"resume: <point>\"): {ex.Message}");
            return null;
        }
    }

    private static OutputFormat? ParseFormat(ArgumentResult result)
    {
        switch (result.Tokens[0].Value)
        {
            case "json":
                return OutputFormat.Json;
            case "text":
                return OutputFormat.Text;
            default:
                result.AddError($"--format must be json or text, not '{result.Tokens[0].Value}'.");
                return null;
        }
    }

    private static long? Number(ArgumentResult result, long max)
    {
        var text = result.Tokens[0].Value;
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max)
        {
            return n;
        }

        result.AddError($"{((OptionResult)result.Parent!).Option.Name} must be a whole number of at least 1, not '{text}'.");
        return null;
    }

    /// <summary><c>--version</c>: "gateway-tail &lt;version&gt;", as before System.CommandLine (its own prints the bare version).</summary>
    private sealed class VersionAction : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var version = typeof(TailCommandLine).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";
            parseResult.InvocationConfiguration.Output.WriteLine($"gateway-tail {version}");
            return ExitCodes.Ok;
        }
    }
}
