using System.CommandLine;
using System.Globalization;

namespace TestGatewayServer;

/// <summary>gateway-testgateway's command line (System.CommandLine): its options, their checks, and the run.</summary>
internal static class ServerCommand
{
    /// <summary>The port when <c>--port</c> is not given: gateway-tail's examples and the docs use it.</summary>
    public const int DefaultPort = 8765;

    /// <summary>Where the token comes from when <c>--token</c> is not given: gateway-tail reads the same variable.</summary>
    public const string TokenVariable = "GATEWAY_TOKEN";

    /// <summary>How long Ctrl+C or SIGTERM waits for the server to stop before the process ends anyway.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private const double MaxPublishRate = 1000;

    /// <summary>One event a thousand seconds: a slower rate than this is 0 in all but name.</summary>
    private const double MinPublishRate = 0.001;

    /// <summary>The client's own floor for a gateway's heartbeat (heartbeat_ms is clamped to at least 1 s).</summary>
    private const double MinHeartbeatSeconds = 1;

    private const double MaxHeartbeatSeconds = 86400;

    /// <summary>
    /// Parses <paramref name="args"/> and runs the server until <paramref name="cancellationToken"/> is cancelled (or,
    /// with <paramref name="handleTermination"/>, Ctrl+C or SIGTERM). Returns an <see cref="ExitCodes"/> value.
    /// </summary>
    public static async Task<int> RunAsync(
        string[] args,
        TextWriter output,
        TextWriter error,
        Func<string, string?> environment,
        TimeProvider timeProvider,
        bool handleTermination,
        CancellationToken cancellationToken)
    {
        var port = NumberOption<int>(
            "--port", "port", "The port to listen on, on 127.0.0.1; 0 takes any free port", DefaultPort,
            value => value is >= 0 and <= 65535, "--port must be 0 (any free port) or a port from 1 to 65535.");
        port.Aliases.Add("-p");
        var token = new Option<string?>("--token")
        {
            Description = $"The token clients must present [default: the {TokenVariable} environment variable, else none: anyone may connect]",
            HelpName = "token",
        };
        token.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && string.IsNullOrWhiteSpace(result.Tokens[0].Value))
            {
                result.AddError("--token must not be empty (leave it out for a gateway anyone may connect to).");
            }
        });
        var dialect = new Option<string>("--dialect")
        {
            Description = "The protocol to speak, as gateway-tail names it",
            DefaultValueFactory = _ => "praisonai",
        };
        dialect.AcceptOnlyFromAmong([.. ServerSettings.Dialects.Keys]);
        // Below these a rate rounds to no event and an interval to a busy loop (or to zero, which TestGateway refuses).
        var publishRate = NumberOption<double>(
            "--publish-rate", "n", $"Counter events a second to every client (0: none; else {MinPublishRate} to {MaxPublishRate:0})", 1,
            value => value == 0 || value is >= MinPublishRate and <= MaxPublishRate,
            $"--publish-rate must be 0 (none) or from {MinPublishRate} to {MaxPublishRate:0} events per second.");
        var heartbeat = NumberOption<double>(
            "--heartbeat", "seconds", $"Seconds between the server's heartbeats; a PraisonAI client silent for two is dropped (0: none; else {MinHeartbeatSeconds:0} to {MaxHeartbeatSeconds:0})", 30,
            value => value == 0 || value is >= MinHeartbeatSeconds and <= MaxHeartbeatSeconds,
            $"--heartbeat must be 0 (none) or from {MinHeartbeatSeconds:0} to {MaxHeartbeatSeconds:0} seconds.");

        var root = new RootCommand(
            "Runs Gateway.Client.Testing's TestGateway as a standalone server on 127.0.0.1, for gateway-tail, a browser or " +
            "another language's client to connect to. It prints its URL and the gateway-tail command that connects; Ctrl+C stops it.")
        {
            port, token, dialect, publishRate, heartbeat,
        };
        root.SetAction((parse, stopping) =>
        {
            var given = parse.GetValue(token);
            var fromEnvironment = given is null && environment(TokenVariable) is { Length: > 0 };
            var seconds = parse.GetValue(heartbeat);
            var settings = new ServerSettings(
                parse.GetValue(port),
                given ?? (fromEnvironment ? environment(TokenVariable) : null),
                fromEnvironment,
                parse.GetValue(dialect)!,
                parse.GetValue(publishRate),
                seconds > 0 ? TimeSpan.FromSeconds(seconds) : null);
            return StandaloneGateway.RunAsync(settings, output, error, timeProvider, stopping);
        });

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync($"gateway-testgateway: {problem.Message}").ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run gateway-testgateway --help for the options.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            ProcessTerminationTimeout = handleTermination ? StopTimeout : null,
        };
        return await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A number option read with the invariant culture and checked against its range, each with its own message.</summary>
    private static Option<T> NumberOption<T>(string name, string helpName, string description, T fallback, Func<T, bool> inRange, string rangeError)
        where T : IParsable<T> => new(name)
        {
            Description = description,
            HelpName = helpName,
            DefaultValueFactory = _ => fallback,
            CustomParser = result =>
            {
                if (result.Tokens.Count == 0)
                {
                    return fallback;
                }

                var text = result.Tokens[0].Value;
                if (!T.TryParse(text, CultureInfo.InvariantCulture, out var value))
                {
                    result.AddError($"{name}: '{text}' is not a number.");
                    return fallback;
                }

                if (!inRange(value))
                {
                    result.AddError(rangeError);
                }

                return value;
            },
        };
}
