using System.Globalization;
using Gateway.Client.Sessions;
using Gateway.Client.Sessions.Postgres;
using Gateway.Client.Sessions.Redis;

namespace Gateway.Client.FleetWorker;

/// <summary>
/// One worker of the fleet: a <see cref="GatewaySessionProcessor"/> over the shared store whose event handler journals
/// each event (<c>handled key seq</c>) and then checkpoints it, and which says on standard output when it is running
/// (<c>ready owner</c>) and which sessions it owns each time that changes (<c>owned n k1,k2,...</c>), so the test awaits
/// those lines instead of sleeping.
/// </summary>
internal sealed class FleetWorker(WorkerSettings settings, Journal journal)
{
    private static readonly TimeSpan OwnershipPoll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(30);

    private readonly HandlerHold _hold = new(settings.HoldPath);

    /// <summary>Runs until <paramref name="stop"/> fires, then stops the processor gracefully (bounded).</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var store = await OpenStoreAsync(stop).ConfigureAwait(false);
        await using var storeLifetime = (IAsyncDisposable)store;
        var options = new GatewaySessionProcessorOptions
        {
            OwnerId = settings.Owner,
            LeaseDuration = settings.LeaseDuration,
            RenewInterval = settings.RenewInterval,
            BalanceInterval = settings.BalanceInterval,
            CheckpointEvery = settings.CheckpointEvery,
            CheckpointInterval = settings.CheckpointInterval,
        };
        var definitions = settings.Sessions.Select(key => new GatewaySessionDefinition(key, (_, from) => new GatewayClientOptions
        {
            Url = settings.Gateway,
            AgentId = "fleet",
            ResumeFrom = from,
        }));
        await using var processor = new GatewaySessionProcessor(store, definitions, options)
        {
            // A session never checkpointed starts at the beginning of the gateway's session (it already exists there).
            InitializingHandler = args =>
            {
                args.StartFrom = new GatewayResumePoint(args.SessionKey, epoch: null, sequence: 0);
                return Task.CompletedTask;
            },
            EventHandler = HandleAsync,
            ClosingHandler = args =>
            {
                journal.Write($"closed {args.SessionKey} {args.Reason}");
                return Task.CompletedTask;
            },
            ErrorHandler = args =>
            {
                journal.Write($"error {args.SessionKey ?? "-"} {args.Operation} {args.Exception.GetType().Name}");
                Console.Error.WriteLine($"{settings.Owner}: {args.Operation} failed for {args.SessionKey ?? "the balancing cycle"}: {args.Exception.GetType().Name}: {args.Exception.Message}");
                return Task.CompletedTask;
            },
        };

        await processor.StartAsync(stop).ConfigureAwait(false);
        Console.WriteLine($"ready {settings.Owner}");
        await ReportOwnershipAsync(processor, stop).ConfigureAwait(false);

        using var limit = new CancellationTokenSource(StopLimit);
        await processor.StopAsync(limit.Token).ConfigureAwait(false);
        Console.WriteLine("owned 0 ");
        Console.WriteLine($"stopped {settings.Owner}");
    }

    private async Task HandleAsync(GatewaySessionEventArgs args)
    {
        var key = args.SessionKey;
        var sequence = args.Event.Sequence?.ToString(CultureInfo.InvariantCulture)
            ?? throw new InvalidOperationException($"An event of session {key} has no sequence number: {args.Event}");
        journal.Write($"handled {key} {sequence}");
        if (_hold.IsRequested)
        {
            journal.Write($"holding {key} {sequence}");
            await _hold.WaitUntilLiftedAsync().ConfigureAwait(false);
        }

        try
        {
            // No token: a checkpoint after the lease was lost locally still goes to the store, which judges it.
            await args.CheckpointAsync().ConfigureAwait(false);
        }
        catch (SessionOwnershipLostException)
        {
            journal.Write($"rejected {key} {sequence}");
            throw;
        }

        journal.Write($"checkpointed {key} {sequence}");
    }

    /// <summary>Writes the owned sessions each time they change, until <paramref name="stop"/>.</summary>
    private static async Task ReportOwnershipAsync(GatewaySessionProcessor processor, CancellationToken stop)
    {
        var last = (string?)null;
        using var timer = new PeriodicTimer(OwnershipPoll);
        do
        {
            var owned = processor.OwnedSessions.Order(StringComparer.Ordinal).ToArray();
            var line = $"owned {owned.Length} {string.Join(',', owned)}";
            if (line != last)
            {
                Console.WriteLine(line);
                last = line;
            }
        }
        while (await WaitAsync(timer, stop).ConfigureAwait(false));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The store the fleet shares; both kinds are also <see cref="IAsyncDisposable"/> (they own their connections here).</summary>
    private async Task<ISessionStore> OpenStoreAsync(CancellationToken cancellationToken) => settings.Store switch
    {
        "redis" => await RedisSessionStore.ConnectAsync(
            settings.Connection, new RedisSessionStoreOptions { KeyPrefix = settings.Namespace }, cancellationToken).ConfigureAwait(false),
        _ => new PostgresSessionStore(settings.Connection, new PostgresSessionStoreOptions { Schema = settings.Namespace }),
    };
}
