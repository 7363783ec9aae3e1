using Gateway.Client.PraisonAI;

namespace Gateway.Client.Engine;

/// <summary>A client that can re-base its stream: <see cref="GatewayClient"/>, behind <see cref="PraisonAIClientExtensions.ResyncAsync"/>.</summary>
internal interface IStreamResyncing
{
    /// <summary>Re-bases the stream on the server's current state.</summary>
    Task<ResyncResult> ResyncAsync(CancellationToken cancellationToken);
}
