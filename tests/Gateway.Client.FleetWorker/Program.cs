using System.Runtime.InteropServices;
using Gateway.Client.FleetWorker;

// One worker process of the fleet test: see WorkerSettings.Usage and FleetWorker.
WorkerSettings settings;
try
{
    settings = WorkerSettings.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(WorkerSettings.Usage);
    return 2;
}

using var stop = new CancellationTokenSource();
// SIGTERM and SIGINT are a graceful stop: the processor closes its sessions and releases their leases, then exit 0.
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
if (settings.StopOnStandardInputEnd)
{
    // The test holds our standard input open; when it ends, whoever started us is gone, so we do not outlive it.
    _ = Task.Run(async () =>
    {
        await Console.In.ReadToEndAsync().ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
    });
}

Directory.CreateDirectory(settings.Results);
using var journal = new Journal(settings.JournalPath);
try
{
    await new FleetWorker(settings, journal).RunAsync(stop.Token);
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"{settings.Owner} failed: {e}");
    return 1;
}

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
