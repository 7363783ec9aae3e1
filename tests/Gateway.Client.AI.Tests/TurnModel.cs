using System.Text.Json;

namespace Gateway.Client.AI.Tests;

/// <summary>Short names for <see cref="GatewayModelFactory"/>'s turn types, for a fake's scripted turns.</summary>
internal static class TurnModel
{
    public static GatewayTurnUpdate Update(GatewayTurnUpdateKind kind, string? text = null, GatewayEvent? @event = null, GatewayTurnToolCall? toolCall = null, GatewayTurnOutcome? outcome = null, string? turnId = null) =>
        GatewayModelFactory.GatewayTurnUpdate(kind, text, @event, toolCall, outcome, turnId);

    public static GatewayTurnOutcome Outcome(GatewayTurnStatus status, string text = "", string? errorCode = null, string? errorMessage = null, string? reason = null, string? answerLocation = null, bool resumed = false, string? sessionId = null, string? turnId = null) =>
        GatewayModelFactory.GatewayTurnOutcome(status, text, errorCode, errorMessage, reason, answerLocation, resumed, sessionId, turnId);

    public static GatewayTurnToolCall ToolCall(string name, string? callId = null, JsonElement? arguments = null, JsonElement? result = null, bool isError = false) =>
        GatewayModelFactory.GatewayTurnToolCall(name, callId, arguments, result, isError);

    public static GatewayTurnUpdate Final(GatewayTurnStatus status, string text = "", string? turnId = null, string? sessionId = null, string? errorCode = null, string? errorMessage = null, string? reason = null, string? answerLocation = null) =>
        Update(GatewayTurnUpdateKind.Final, outcome: Outcome(status, text, errorCode, errorMessage, reason, answerLocation, sessionId: sessionId, turnId: turnId));

    public static GatewayTurnUpdate Text(string text, string? turnId = null) => Update(GatewayTurnUpdateKind.TextDelta, text, turnId: turnId);

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
