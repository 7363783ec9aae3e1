using System.Reflection;
using System.Text.Json;

namespace Gateway.Client.AI.Tests;

/// <summary>
/// Builds the turn's output types for a fake's <see cref="IGatewayTurns.AskAsync"/>. GatewayModelFactory has no
/// GatewayTurnUpdate / GatewayTurnOutcome / GatewayTurnToolCall yet on this branch (they are being added in
/// src/Gateway.Client), so this calls their internal constructors, with the factory's planned signatures: once the
/// factory has them, each method here becomes a one-line call to it.
/// </summary>
internal static class TurnModel
{
    public static GatewayTurnUpdate Update(GatewayTurnUpdateKind kind, string? text = null, GatewayEvent? @event = null, GatewayTurnToolCall? toolCall = null, GatewayTurnOutcome? outcome = null, string? turnId = null) =>
        Create<GatewayTurnUpdate>(kind, text ?? outcome?.Text, @event, toolCall, outcome, turnId ?? outcome?.TurnId);

    public static GatewayTurnOutcome Outcome(GatewayTurnStatus status, string text = "", string? errorCode = null, string? errorMessage = null, string? reason = null, string? answerLocation = null, bool resumed = false, string? sessionId = null, string? turnId = null) =>
        Create<GatewayTurnOutcome>(status, text, errorCode, errorMessage, reason, answerLocation, resumed, sessionId, turnId);

    public static GatewayTurnToolCall ToolCall(string name, string? callId = null, JsonElement? arguments = null, JsonElement? result = null, bool isError = false) =>
        Create<GatewayTurnToolCall>(callId, name, arguments, result, isError);

    public static GatewayTurnUpdate Final(GatewayTurnStatus status, string text = "", string? turnId = null, string? sessionId = null, string? errorCode = null, string? errorMessage = null, string? reason = null, string? answerLocation = null) =>
        Update(GatewayTurnUpdateKind.Final, outcome: Outcome(status, text, errorCode, errorMessage, reason, answerLocation, sessionId: sessionId, turnId: turnId));

    public static GatewayTurnUpdate Text(string text, string? turnId = null) => Update(GatewayTurnUpdateKind.TextDelta, text, turnId: turnId);

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static T Create<T>(params object?[] arguments)
    {
        var constructor = typeof(T).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance).Single();
        return (T)constructor.Invoke(arguments);
    }
}
