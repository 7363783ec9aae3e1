namespace Gateway.Client.Engine;

/// <summary>One run, from <c>ConnectAsync</c> to disconnect or a terminal failure: what its loop and its callers share.</summary>
internal sealed class RunState
{
    /// <summary>Cancelled by disconnect: the loop stops instead of reconnecting.</summary>
    public CancellationTokenSource Stop { get; } = new();

    /// <summary>Completes with the run's first handshake (or faults with the run's failure): what <c>ConnectAsync</c> waits for.</summary>
    public TaskCompletionSource<bool> FirstHandshake { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes once the run has finished ending (its final state posted to the OnStateChanged handlers), so a
    /// failed <c>ConnectAsync</c> can order itself after the Failed transition.
    /// </summary>
    public TaskCompletionSource<bool> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The run loop.</summary>
    public Task Loop { get; set; } = Task.CompletedTask;

    /// <summary>Handshakes so far in this run; every one after the first is a reconnect.</summary>
    public int Handshakes { get; set; }

    /// <summary>Why the run failed, once it did.</summary>
    public Exception? Failure { get; set; }

    /// <summary>The loop outlived the disconnect's bound (stuck in app code): stopped, and no longer waited for.</summary>
    public bool Abandoned { get; set; }
}
