using System.Globalization;
using Gateway.Client;

namespace GatewayTail;

/// <summary>gateway-tail's command line, parsed; <see cref="Parse"/> throws <see cref="UsageException"/> with a precise message.</summary>
internal sealed class TailOptions
{
    /// <summary>The help text; the dialects are listed from <see cref="ProtocolDialects"/>, so a new one needs no edit here.</summary>
    public static readonly string Usage = $$"""
        Usage: gateway-tail <ws://host:port/path | wss://...> [options]

        Prints every event as a JSON line on stdout ({"seq", "type", "replay", "data"}; "frame" too with
        --frames); state changes and gaps go to stderr (with a live status line when stderr is a terminal).
        On exit it prints where to resume on stderr, "resume: <point>", for --resume.

        Options:
          --token <token>          the gateway token (default: the GATEWAY_TOKEN environment variable)
          --agent <id>             the agent to talk to (gateway dialect; default: "default")
          --dialect <name>         {{string.Join(", ", ProtocolDialects.All.Select(ProtocolDialects.NameOf))}} (default: praisonai)
          --resume <point>         resume after the event this point names (replays what came after it);
                                   the point is what a previous run printed as "resume: <point>"
          --frames                 also print each event's whole frame as received ("frame")
          --max-events <n>         exit 0 after printing n events
          --max-attempts <n>       give up after n failed connection attempts in a row (default: unlimited)
          --pin-certificate <sha1> accept a wss:// certificate with this SHA-1 thumbprint (self-signed)
          --no-status              never draw the status line
          --help                   show this help
          --version                show the version

        Exit codes: 0 done (Ctrl+C or SIGTERM while tailing, --max-events), 1 unexpected error (a bug),
        2 usage, 3 authentication refused, 4 incompatible protocol, 5 connection failed, 6 refused
        (unknown agent, configuration), 7 TLS failed, 130 Ctrl+C or SIGTERM before the first connection,
        141 stdout closed (the reader went away, as after | head).
        """;

    public Uri Url { get; private set; } = null!;

    public string? Token { get; private set; }

    public string AgentId { get; private set; } = "default";

    public ProtocolDialect Dialect { get; private set; } = ProtocolDialect.PraisonAI;

    public GatewayResumePoint? ResumeFrom { get; private set; }

    public bool Frames { get; private set; }

    public long? MaxEvents { get; private set; }

    public int? MaxAttempts { get; private set; }

    public string? PinnedThumbprint { get; private set; }

    public bool NoStatus { get; private set; }

    public bool Help { get; private set; }

    public bool Version { get; private set; }

    public static TailOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var options = new TailOptions();
        string? url = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{arg} needs a value.");
            switch (arg)
            {
                case "--help" or "-h":
                    options.Help = true;
                    return options;
                case "--version":
                    options.Version = true;
                    return options;
                case "--token":
                    options.Token = Value();
                    break;
                case "--agent":
                    options.AgentId = Value();
                    break;
                case "--dialect":
                    var dialect = Value();
                    options.Dialect = ProtocolDialects.TryParse(dialect, out var named)
                        ? named
                        : throw new UsageException($"--dialect must be {string.Join(" or ", ProtocolDialects.All.Select(ProtocolDialects.NameOf))}, not '{dialect}'.");
                    break;
                case "--resume":
                    var point = Value();
                    try
                    {
                        options.ResumeFrom = GatewayResumePoint.Parse(point);
                    }
                    catch (FormatException ex)
                    {
                        throw new UsageException($"--resume needs a point as gateway-tail printed it (\"resume: <point>\"): {ex.Message}");
                    }

                    break;
                case "--frames":
                    options.Frames = true;
                    break;
                case "--max-events":
                    options.MaxEvents = Number(arg, Value(), 1);
                    break;
                case "--max-attempts":
                    options.MaxAttempts = (int)Number(arg, Value(), 1, int.MaxValue);
                    break;
                case "--pin-certificate":
                    options.PinnedThumbprint = Value().Replace(":", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
                    break;
                case "--no-status":
                    options.NoStatus = true;
                    break;
                default:
                    if (arg.StartsWith('-'))
                    {
                        throw new UsageException($"Unknown option '{arg}'.");
                    }

                    if (url is not null)
                    {
                        throw new UsageException($"One URL only; got '{url}' and '{arg}'.");
                    }

                    url = arg;
                    break;
            }
        }

        if (url is null)
        {
            throw new UsageException("The gateway URL is required.");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || (parsed.Scheme != "ws" && parsed.Scheme != "wss"))
        {
            throw new UsageException($"'{url}' is not a ws:// or wss:// URL.");
        }

        options.Url = parsed;
        options.Token ??= environment("GATEWAY_TOKEN");
        return options;
    }

    private static long Number(string option, string value, long min, long max = long.MaxValue) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new UsageException($"{option} must be a whole number of at least {min}, not '{value}'.");
}

/// <summary>The command line is wrong.</summary>
internal sealed class UsageException(string message) : Exception(message);
