namespace Gateway.Client.Testing;

/// <summary>
/// An agent whose turns a test holds in the middle, deterministically: each turn streams <see cref="FirstToken"/>, then waits
/// until the test releases it (<see cref="Release"/>, <see cref="Fail"/>, <see cref="Reject"/>, <see cref="ReleaseAll"/>), an
/// abort, or the gateway's disposal. Turns are numbered from 1 in the order they start, across the gateway; a test awaits
/// <see cref="WaitForTurnStartedAsync"/>, <see cref="WaitForFirstTokenAsync"/> and <see cref="WaitForTurnEndedAsync"/> instead of sleeping.
/// </summary>
/// <example>
/// <code>
/// var agent = new ScriptedAgent();
/// await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Agent = agent });
/// // ... a client sends a message ...
/// await agent.WaitForFirstTokenAsync(1, ct); // turn 1 is mid-way: drop the connection here
/// agent.Release(1);                          // the rest of the answer, then the final
/// </code>
/// </example>
public sealed class ScriptedAgent : TestAgent
{
    private readonly Func<TestAgentTurn, CancellationToken, Task<string>>? _afterRelease;
    private readonly Dictionary<int, Slot> _slots = new();
    private int _started;
    private bool _releaseAll;

    /// <summary>An agent whose released turns stream the rest of <c>echo: </c> and the message, one token per word, and answer that text.</summary>
    public ScriptedAgent()
    {
    }

    /// <summary>An agent whose released turns run <paramref name="afterRelease"/>, which streams what it likes and returns the whole answer.</summary>
    public ScriptedAgent(Func<TestAgentTurn, CancellationToken, Task<string>> afterRelease)
    {
        ArgumentNullException.ThrowIfNull(afterRelease);
        _afterRelease = afterRelease;
    }

    /// <summary>The token every turn streams before it holds. Default: <c>echo: </c>.</summary>
    public string FirstToken { get; init; } = "echo: ";

    /// <summary>How many turns have started.</summary>
    public int TurnsStarted => Volatile.Read(ref _started);

    /// <summary>Completes when turn <paramref name="turn"/> (1 = the first) has started, with the turn.</summary>
    public Task<TestAgentTurn> WaitForTurnStartedAsync(int turn, CancellationToken cancellationToken = default) =>
        SlotOf(turn).Started.Task.WaitAsync(cancellationToken);

    /// <summary>Completes when turn <paramref name="turn"/> has streamed its first token (written, or lost with its connection) and holds.</summary>
    public Task WaitForFirstTokenAsync(int turn, CancellationToken cancellationToken = default) =>
        SlotOf(turn).FirstToken.Task.WaitAsync(cancellationToken);

    /// <summary>Completes when turn <paramref name="turn"/>'s agent code has returned or thrown (the gateway then sends its end).</summary>
    public Task WaitForTurnEndedAsync(int turn, CancellationToken cancellationToken = default) =>
        SlotOf(turn).Ended.Task.WaitAsync(cancellationToken);

    /// <summary>Lets turn <paramref name="turn"/> go on (now, or as soon as it holds).</summary>
    public void Release(int turn) => SlotOf(turn).Release.TrySetResult(null);

    /// <summary>Ends turn <paramref name="turn"/> as an error with <paramref name="message"/> when it is released.</summary>
    public void Fail(int turn, string message) => SlotOf(turn).Release.TrySetResult(new InvalidOperationException(message));

    /// <summary>Ends turn <paramref name="turn"/> as refused (<see cref="TestAgentRejection"/>) with <paramref name="message"/>.</summary>
    public void Reject(int turn, string message) => SlotOf(turn).Release.TrySetResult(new TestAgentRejection(message));

    /// <summary>Releases every turn, held now or started later: the agent no longer holds.</summary>
    public void ReleaseAll()
    {
        lock (_slots)
        {
            _releaseAll = true;
            foreach (var slot in _slots.Values)
            {
                slot.Release.TrySetResult(null);
            }
        }
    }

    /// <inheritdoc />
    public override async Task<string> RunTurnAsync(TestAgentTurn turn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var slot = SlotOf(Interlocked.Increment(ref _started));
        try
        {
            slot.Started.TrySetResult(turn);
            await turn.StreamTokenAsync(FirstToken).ConfigureAwait(false);
            slot.FirstToken.TrySetResult();
            if (await slot.Release.Task.WaitAsync(cancellationToken).ConfigureAwait(false) is { } ending)
            {
                throw ending;
            }

            if (_afterRelease is not null)
            {
                return await _afterRelease(turn, cancellationToken).ConfigureAwait(false);
            }

            var words = turn.ContentText.Split(' ');
            for (var i = 0; i < words.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await turn.StreamTokenAsync(i < words.Length - 1 ? words[i] + " " : words[i]).ConfigureAwait(false);
            }

            return FirstToken + turn.ContentText;
        }
        finally
        {
            slot.Ended.TrySetResult();
        }
    }

    private Slot SlotOf(int turn)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(turn, 1);
        lock (_slots)
        {
            if (!_slots.TryGetValue(turn, out var slot))
            {
                slot = new Slot();
                if (_releaseAll)
                {
                    slot.Release.TrySetResult(null);
                }

                _slots[turn] = slot;
            }

            return slot;
        }
    }

    /// <summary>One turn's signals.</summary>
    private sealed class Slot
    {
        public TaskCompletionSource<TestAgentTurn> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource FirstToken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<Exception?> Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
