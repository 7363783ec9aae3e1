namespace Gateway.Client.Testing;

/// <summary>
/// The default agent: streams <c>echo: </c> followed by the message, one token per word, and answers the same text, as the
/// interop stubs do. A message starting with <c>fail</c> fails the turn at once (an error outcome). A message starting with
/// <c>slow</c> streams its first token and then holds until <see cref="ReleaseSlowTurns"/> (or an abort, or the gateway's
/// disposal): a turn a test can interrupt deterministically. <see cref="ScriptedAgent"/> gives finer control.
/// </summary>
public sealed class EchoAgent : TestAgent
{
    private TaskCompletionSource _slowRelease = NewRelease();

    /// <inheritdoc />
    public override async Task<string> RunTurnAsync(TestAgentTurn turn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var content = turn.ContentText;
        if (content.StartsWith("fail", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the agent failed: {content}");
        }

        // Taken before the first token goes out: a test that sees the token and then releases can never miss this turn.
        var release = Volatile.Read(ref _slowRelease).Task;
        var text = "echo: " + content;
        var words = text.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await turn.StreamTokenAsync(i < words.Length - 1 ? words[i] + " " : words[i]).ConfigureAwait(false);
            if (i == 0 && content.StartsWith("slow", StringComparison.Ordinal))
            {
                await release.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return text;
    }

    /// <summary>Lets every <c>slow</c> turn that has streamed its first token go on; a later <c>slow</c> turn holds again.</summary>
    public void ReleaseSlowTurns() => Interlocked.Exchange(ref _slowRelease, NewRelease()).TrySetResult();

    private static TaskCompletionSource NewRelease() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
