namespace Gateway.Client.FleetWorker;

/// <summary>
/// A test's way to catch the worker between handling an event and checkpointing it: while the hold file exists, a
/// handler waits there (bounded), so a SIGSTOP sent then stops the worker with events handled and not checkpointed, and
/// its checkpoints after SIGCONT come late, on purpose.
/// </summary>
internal sealed class HandlerHold(string path)
{
    /// <summary>A hold nobody lifts ends anyway, so a forgotten file cannot wedge a worker.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    public bool IsRequested => File.Exists(path);

    /// <summary>Waits until the hold file is gone (or <see cref="Limit"/> passed). Deliberately deaf to the lost-lease token: the late checkpoint is the point.</summary>
    public async Task WaitUntilLiftedAsync()
    {
        var started = TimeProvider.System.GetTimestamp();
        while (File.Exists(path) && TimeProvider.System.GetElapsedTime(started) < Limit)
        {
            await Task.Delay(Poll).ConfigureAwait(false);
        }
    }
}
