using Gateway.Client.PraisonAI;
namespace Gateway.Client;

/// <summary>
/// What the connected server supports, from the latest handshake: ask it before a call that only some servers
/// answer (<see cref="IGatewayClient.Capabilities"/>). Before the first handshake every capability is false.
/// </summary>
public sealed class GatewayCapabilities
{
    internal GatewayCapabilities(bool requests, bool idempotencyKeys, bool chatTurns, bool resync, bool resumesStream)
    {
        Requests = requests;
        IdempotencyKeys = idempotencyKeys;
        ChatTurns = chatTurns;
        Resync = resync;
        ResumesStream = resumesStream;
    }

    /// <summary>Nothing: no handshake yet.</summary>
    internal static GatewayCapabilities None { get; } = new(false, false, false, false, false);

    /// <summary>
    /// <see cref="IGatewayClient.RequestAsync(string, CancellationToken)"/> and its overloads are answered: protocol 2,
    /// OpenClaw and Praxis. False on a protocol 1 session, where a request throws <see cref="GatewayCapabilityException"/>.
    /// </summary>
    public bool Requests { get; }

    /// <summary>
    /// Requests may carry an idempotency key (<see cref="OpenClaw.OpenClawRequestOptions.IdempotencyKey"/>) and are then
    /// sent again after a reconnect: OpenClaw.
    /// </summary>
    public bool IdempotencyKeys { get; }

    /// <summary>
    /// User turns and aborts are frames of their own (<see cref="PraisonAI.PraisonAIClientExtensions.SendMessageAsync(IGatewayClient, string, CancellationToken)"/>,
    /// <see cref="PraisonAI.PraisonAIClientExtensions.AbortAsync(IGatewayClient, CancellationToken)"/>): the PraisonAI gateway.
    /// OpenClaw sends turns as requests (<c>chat.send</c>), Praxis as <c>CHAT_MESSAGE</c> commands.
    /// </summary>
    public bool ChatTurns { get; }

    /// <summary>
    /// The stream can be re-based on the server's current state after a gap
    /// (<see cref="PraisonAI.PraisonAIClientExtensions.ResyncAsync(IGatewayClient, CancellationToken)"/>): the PraisonAI gateway.
    /// </summary>
    public bool Resync { get; }

    /// <summary>
    /// A reconnect resumes the numbered event stream where it stopped, with the missed events replayed, and events carry a
    /// <see cref="GatewayEvent.ResumePoint"/>: the PraisonAI gateway. OpenClaw numbers events per connection and Praxis not
    /// at all, so after a reconnect they go on from the server's present (docs/reliability.md).
    /// </summary>
    public bool ResumesStream { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"GatewayCapabilities {{ Requests = {Requests}, IdempotencyKeys = {IdempotencyKeys}, ChatTurns = {ChatTurns}, Resync = {Resync}, ResumesStream = {ResumesStream} }}";
}
