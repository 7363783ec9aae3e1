using Microsoft.Extensions.AI;

namespace Gateway.Client.AI;

/// <summary>The gateway's view of a chat response: the turn's typed outcome.</summary>
public static class GatewayChatResponseExtensions
{
    /// <summary>The key of the turn's status in <see cref="ChatResponseUpdate.AdditionalProperties"/> of the last update (and so of the aggregated <see cref="ChatResponse.AdditionalProperties"/>): <c>completed</c>, <c>rejected</c>, <c>failed</c>, <c>cancelled</c>, <c>lost</c>, <c>timed_out</c>.</summary>
    public const string TurnStatusKey = "gateway.turn.status";

    /// <summary>
    /// How the turn behind <paramref name="response"/> ended, from a <see cref="GatewayChatClient"/>'s
    /// <see cref="IChatClient.GetResponseAsync"/> (its <see cref="ChatResponse.RawRepresentation"/>), or, for a response the
    /// app aggregated from updates, from the <see cref="ErrorContent"/> a turn that did not complete ends with; null when
    /// neither is there.
    /// </summary>
    /// <param name="response">The response.</param>
    /// <returns>The outcome, or null.</returns>
    public static GatewayTurnOutcome? GetGatewayTurnOutcome(this ChatResponse response)
    {
        if (response is null)
        {
            throw new ArgumentNullException(nameof(response));
        }

        if (response.RawRepresentation is GatewayTurnOutcome outcome)
        {
            return outcome;
        }

        foreach (var message in response.Messages)
        {
            foreach (var content in message.Contents)
            {
                if (content is ErrorContent { RawRepresentation: GatewayTurnOutcome found })
                {
                    return found;
                }
            }
        }

        return null;
    }

    /// <summary>The outcome on the last update of a turn (<see cref="ChatResponseUpdate.FinishReason"/> set); null on every other update.</summary>
    /// <param name="update">An update from a <see cref="GatewayChatClient"/>.</param>
    /// <returns>The outcome, or null.</returns>
    public static GatewayTurnOutcome? GetGatewayTurnOutcome(this ChatResponseUpdate update)
    {
        if (update is null)
        {
            throw new ArgumentNullException(nameof(update));
        }

        return (update.RawRepresentation as GatewayTurnUpdate)?.Outcome;
    }

    /// <summary>The <see cref="GatewayTurnUpdate"/> an update was made from (its kind, its server event); null for an update that did not come from a gateway turn.</summary>
    /// <param name="update">An update from a <see cref="GatewayChatClient"/>.</param>
    /// <returns>The turn's update, or null.</returns>
    public static GatewayTurnUpdate? GetGatewayTurnUpdate(this ChatResponseUpdate update)
    {
        if (update is null)
        {
            throw new ArgumentNullException(nameof(update));
        }

        return update.RawRepresentation as GatewayTurnUpdate;
    }
}
