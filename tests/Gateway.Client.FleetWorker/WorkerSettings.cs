using System.Globalization;

namespace Gateway.Client.FleetWorker;

/// <summary>What one fleet worker runs, read from its command line (<c>--name value</c> pairs; <see cref="Usage"/>).</summary>
internal sealed class WorkerSettings
{
    public const string Usage = """
        usage: dotnet Gateway.Client.FleetWorker.dll
          --store redis|postgres      the session store
          --connection <text>         a StackExchange.Redis configuration or an Npgsql connection string
          --namespace <name>          the Redis key prefix or the PostgreSQL schema the fleet shares
          --gateway <ws url>          the gateway every session is on
          --owner <id>                this worker's owner id in the store
          --results <directory>       where its journal goes (journal.log), and where a file named 'hold' stalls its handlers
          --sessions <k1,k2,...>      the session keys the fleet shares
          [--lease-ms 3000] [--renew-ms 1000] [--balance-ms 250]
          [--checkpoint-every 1] [--checkpoint-interval-ms <ms>]
          [--stop-on-stdin-eof]       stop (gracefully) when standard input ends: the parent that started it has gone
        SIGTERM or SIGINT stops it gracefully (exit code 0).
        """;

    public required string Store { get; init; }

    public required string Connection { get; init; }

    public required string Namespace { get; init; }

    public required Uri Gateway { get; init; }

    public required string Owner { get; init; }

    public required string Results { get; init; }

    public required IReadOnlyList<string> Sessions { get; init; }

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan RenewInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan BalanceInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public int CheckpointEvery { get; init; } = 1;

    public TimeSpan? CheckpointInterval { get; init; }

    public bool StopOnStandardInputEnd { get; init; }

    /// <summary>The journal of every handled event, checkpoint, close and error (<see cref="Journal"/>).</summary>
    public string JournalPath => Path.Combine(Results, "journal.log");

    /// <summary>While this file exists, a handler that has just handled an event waits before checkpointing it.</summary>
    public string HoldPath => Path.Combine(Results, "hold");

    /// <exception cref="ArgumentException">An argument is missing, unknown or malformed (the message says which).</exception>
    public static WorkerSettings Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var stopOnStdinEnd = false;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--stop-on-stdin-eof")
            {
                stopOnStdinEnd = true;
                continue;
            }

            if (!name.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new ArgumentException($"expected '--name value', got '{name}'");
            }

            values[name[2..]] = args[++i];
        }

        string Required(string name) =>
            values.Remove(name, out var value) && value.Length > 0 ? value : throw new ArgumentException($"--{name} is required");

        TimeSpan? Milliseconds(string name) =>
            values.Remove(name, out var value)
                ? TimeSpan.FromMilliseconds(int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
                    ? ms
                    : throw new ArgumentException($"--{name} must be a positive number of milliseconds, got '{value}'"))
                : null;

        var store = Required("store");
        if (store is not ("redis" or "postgres"))
        {
            throw new ArgumentException($"--store must be redis or postgres, got '{store}'");
        }

        var gateway = Required("gateway");
        var settings = new WorkerSettings
        {
            Store = store,
            Connection = Required("connection"),
            Namespace = Required("namespace"),
            Gateway = Uri.TryCreate(gateway, UriKind.Absolute, out var url) ? url : throw new ArgumentException($"--gateway is not a URL: '{gateway}'"),
            Owner = Required("owner"),
            Results = Required("results"),
            Sessions = Required("sessions").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            LeaseDuration = Milliseconds("lease-ms") ?? TimeSpan.FromSeconds(3),
            RenewInterval = Milliseconds("renew-ms") ?? TimeSpan.FromSeconds(1),
            BalanceInterval = Milliseconds("balance-ms") ?? TimeSpan.FromMilliseconds(250),
            CheckpointEvery = values.Remove("checkpoint-every", out var every)
                ? (int.TryParse(every, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"--checkpoint-every must be a positive number, got '{every}'"))
                : 1,
            CheckpointInterval = Milliseconds("checkpoint-interval-ms"),
            StopOnStandardInputEnd = stopOnStdinEnd,
        };
        if (values.Count > 0)
        {
            throw new ArgumentException($"unknown argument --{values.Keys.First()}");
        }

        return settings;
    }
}
