using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>
/// A Praxis chat turn's output: Praxis answers a <c>CHAT_MESSAGE</c> with one <c>chatMessage</c> and streams nothing, so tokens,
/// reasoning and tool calls go nowhere; <see cref="TestAgentTurn.PublishAsync"/> sends <c>{type, payload}</c> to the connection.
/// </summary>
internal sealed class PraxisTurnOutput(TestConnection connection) : ITurnOutput
{
    public Task<long> TokenAsync(string text) => Task.FromResult(0L);

    public Task<long> ReasoningAsync(string text) => Task.FromResult(0L);

    public Task ToolAsync(string name, string callId, JsonObject? arguments, JsonNode? result) => Task.CompletedTask;

    public async Task<long> PublishAsync(string type, JsonObject data, EnvelopeShape shape)
    {
        await connection.SendTextAsync(PraxisFrames.Frame(type, data.DeepClone())).ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// Runs the test's agent on a chat message: its reply, or how it failed. Cancelled only by the gateway's disposal (Praxis has no
    /// abort); the handler waits for it, as the real one awaits its agent before reading the next frame.
    /// </summary>
    public static async Task<(string? Reply, Exception? Failure)> RunAsync(TestGateway gateway, TestConnection connection, string content)
    {
        try
        {
            var turn = new TestAgentTurn(new PraxisTurnOutput(connection), connection.ConnectionId, JsonSerializer.SerializeToElement(content));
            return (await gateway.Options.Agent.RunTurnAsync(turn, gateway.Stopping).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (!gateway.Stopping.IsCancellationRequested)
        {
            return (null, ex);
        }
    }
}
