using System.Text.Json;
using Gateway.Client.Dialects;
using Gateway.Client.Dialects.PraisonAI;
using Gateway.Client.Engine;
using Gateway.Client.Wire;

namespace Gateway.Client.PraisonAI;

/// <summary>
/// The PraisonAI gateway's own verbs: user turns and aborts as frames of their own, and re-basing the stream after a
/// gap. They need a client configured for <see cref="ProtocolDialect.PraisonAI"/>; on another dialect they throw
/// <see cref="InvalidOperationException"/> at once, saying what that dialect uses instead.
/// </summary>
public static class PraisonAIClientExtensions
{
    /// <summary>Sends a user turn (<c>{"type":"message","content":...}</c>). The answer arrives as events (<c>response</c>, stream events).</summary>
    /// <param name="client">A PraisonAI client.</param>
    /// <param name="content">The turn's text.</param>
    /// <param name="cancellationToken">Stops waiting to send.</param>
    /// <exception cref="InvalidOperationException">The client speaks another dialect; the message says what to use instead.</exception>
    /// <exception cref="GatewayConnectionException">Not connected, or the connection broke while sending.</exception>
    /// <exception cref="GatewayPayloadTooLargeException">The frame exceeds the server's <c>max_payload</c>.</exception>
    public static Task SendMessageAsync(this IGatewayClient client, string content, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(content);
        RequirePraisonAI(client, nameof(SendMessageAsync));
        return SendBuiltAsync(client, static (output, text) => PraisonAIFrameWriter.WriteMessage(output, text), content, cancellationToken);
    }

    /// <summary>Sends a user turn whose content is structured JSON.</summary>
    /// <param name="client">A PraisonAI client.</param>
    /// <param name="content">The turn's content.</param>
    /// <param name="cancellationToken">Stops waiting to send.</param>
    /// <exception cref="InvalidOperationException">The client speaks another dialect; the message says what to use instead.</exception>
    /// <exception cref="GatewayConnectionException">Not connected, or the connection broke while sending.</exception>
    /// <exception cref="GatewayPayloadTooLargeException">The frame exceeds the server's <c>max_payload</c>.</exception>
    public static Task SendMessageAsync(this IGatewayClient client, JsonElement content, CancellationToken cancellationToken = default)
    {
        RequirePraisonAI(client, nameof(SendMessageAsync));
        return SendBuiltAsync(client, static (output, json) => PraisonAIFrameWriter.WriteMessage(output, json), content, cancellationToken);
    }

    /// <summary>Asks the server to abort the active turn, giving the reason <c>user</c>; it answers with an <c>aborted</c> or <c>no_active_turn</c> event.</summary>
    /// <param name="client">A PraisonAI client.</param>
    /// <param name="cancellationToken">Stops waiting to send.</param>
    /// <exception cref="InvalidOperationException">The client speaks another dialect; the message says what to use instead.</exception>
    /// <exception cref="GatewayConnectionException">Not connected, or the connection broke while sending.</exception>
    public static Task AbortAsync(this IGatewayClient client, CancellationToken cancellationToken = default) =>
        AbortAsync(client, "user", cancellationToken);

    /// <summary>Asks the server to abort the active turn; it answers with an <c>aborted</c> or <c>no_active_turn</c> event.</summary>
    /// <param name="client">A PraisonAI client.</param>
    /// <param name="reason">Why, as the server logs it.</param>
    /// <param name="cancellationToken">Stops waiting to send.</param>
    /// <exception cref="InvalidOperationException">The client speaks another dialect; the message says what to use instead.</exception>
    /// <exception cref="GatewayConnectionException">Not connected, or the connection broke while sending.</exception>
    public static Task AbortAsync(this IGatewayClient client, string reason, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(reason);
        RequirePraisonAI(client, nameof(AbortAsync));
        return SendBuiltAsync(client, static (output, text) => PraisonAIFrameWriter.WriteAbort(output, text), reason, cancellationToken);
    }

    /// <summary>
    /// Re-bases the stream on the server's current state: on protocol 2 with the <c>resync</c> request, on protocol 1
    /// with a fresh handshake of the same session (whose head becomes the stream's position). Call it from an
    /// <c>OnGap</c> handler: once it returns, the event stream no longer delivers numbered events the snapshot covers.
    /// </summary>
    /// <param name="client">A PraisonAI <see cref="GatewayClient"/>.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <returns>The sequence the snapshot is current to, its epoch, and the snapshot when the server sent one.</returns>
    /// <exception cref="InvalidOperationException">The client speaks another dialect, or is not a <see cref="GatewayClient"/> (a fake cannot re-base a stream it does not have).</exception>
    /// <exception cref="GatewayConnectionException">The client is not running, or failed while resyncing.</exception>
    /// <exception cref="GatewayRequestException">The server refused the resync request.</exception>
    /// <exception cref="TimeoutException">No answer within the request timeout.</exception>
    public static Task<ResyncResult> ResyncAsync(this IGatewayClient client, CancellationToken cancellationToken = default)
    {
        RequirePraisonAI(client, nameof(ResyncAsync));
        if (client is not IStreamResyncing resyncing)
        {
            throw new InvalidOperationException($"ResyncAsync needs a GatewayClient; this is a {client.GetType().Name}. Test resync against Gateway.Client.Testing's TestGateway.");
        }

        return resyncing.ResyncAsync(cancellationToken);
    }

    private static void RequirePraisonAI(IGatewayClient client, string verb)
    {
        Guard.NotNull(client);
        if (client.Dialect != ProtocolDialect.PraisonAI)
        {
            var entry = DialectCatalog.For(client.Dialect);
            var instead = verb == nameof(ResyncAsync) ? entry.WithoutResync : entry.WithoutChatVerbs;
            throw new InvalidOperationException($"{verb} is a PraisonAI verb; this client speaks {entry.Name}: {instead ?? "it has no counterpart"}.");
        }
    }

    private static async Task SendBuiltAsync<TState>(IGatewayClient client, Action<PooledBufferWriter, TState> build, TState state, CancellationToken cancellationToken)
    {
        using var output = new PooledBufferWriter();
        build(output, state);

        // The pooled buffer goes back to the pool once the send returns: only the client itself is known to be done with
        // the bytes by then; any other implementation (a fake that records, a decorator that queues) gets its own copy.
        var frame = client is GatewayClient ? output.WrittenMemory : output.WrittenMemory.ToArray();
        await client.SendAsync(frame, cancellationToken).ConfigureAwait(false);
    }
}
