namespace Gateway.Client.Testing;

/// <summary>The default agent: streams <c>echo: </c> followed by the message, one token per word, and answers the same text.</summary>
public sealed class EchoAgent : TestAgent
{
    /// <inheritdoc />
    public override async Task<string> RunTurnAsync(TestAgentTurn turn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var text = "echo: " + turn.ContentText;
        var words = text.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await turn.StreamTokenAsync(i < words.Length - 1 ? words[i] + " " : words[i]).ConfigureAwait(false);
        }

        return text;
    }
}
