namespace Gateway.Client.Dialects;

/// <summary>
/// An optional capability of a dialect: re-basing the stream on the server's current state, behind
/// <see cref="Gateway.Client.PraisonAI.PraisonAIClientExtensions.ResyncAsync"/> (<see cref="GatewayCapabilities.Resync"/>).
/// </summary>
internal interface IResync
{
    /// <summary>
    /// True: resync with the <c>resync</c> request (its answer re-bases the stream where it arrives). False:
    /// with a fresh handshake of the same session, whose head becomes the cursor.
    /// </summary>
    bool ResyncsByRequest(GatewaySession session);
}
