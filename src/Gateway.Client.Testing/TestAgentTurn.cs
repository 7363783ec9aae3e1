using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>
/// One user turn handed to a <see cref="TestAgent"/>: the message, and ways to stream output back. Each dialect maps the
/// output to what its real server sends (see <see cref="TestAgent"/>); throw <see cref="TestAgentRejection"/> to refuse the
/// turn, any other exception to fail it.
/// </summary>
public sealed class TestAgentTurn
{
    private readonly ITurnOutput _output;
    private int _toolCalls;

    internal TestAgentTurn(ITurnOutput output, string sessionId, JsonElement content)
    {
        _output = output;
        SessionId = sessionId;
        Content = content;
    }

    /// <summary>The conversation the turn belongs to: PraisonAI the session id, OpenClaw the canonical session key (<c>agent:main:…</c>), Praxis the connection's id.</summary>
    public string SessionId { get; }

    /// <summary>The message's <c>content</c> as sent.</summary>
    public JsonElement Content { get; }

    /// <summary>The content as text (a JSON string's value, or the raw JSON of anything else).</summary>
    public string ContentText => Content.ValueKind == JsonValueKind.String ? Content.GetString()! : Content.GetRawText();

    /// <summary>
    /// Streams a piece of the answer: PraisonAI a <c>token_stream</c> event; OpenClaw an <c>agent</c> <c>assistant</c> event and a
    /// <c>chat</c> <c>delta</c>; Praxis nothing (it does not stream). Completes once the frames were written (or lost).
    /// </summary>
    /// <returns>PraisonAI: the event's number in the session (0 when its connection had closed and the frame was lost);
    /// OpenClaw: the run's <c>payload.seq</c>; Praxis: 0.</returns>
    public Task<long> StreamTokenAsync(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _output.TokenAsync(token);
    }

    /// <summary>Streams a piece of the agent's reasoning: PraisonAI <c>reasoning_stream</c>; OpenClaw an <c>agent</c> <c>thinking</c> event; Praxis nothing.</summary>
    /// <returns>As <see cref="StreamTokenAsync"/>.</returns>
    public Task<long> StreamReasoningAsync(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _output.ReasoningAsync(text);
    }

    /// <summary>
    /// Reports a tool call and then its result: PraisonAI <c>tool_call_stream</c> then <c>tool_result_stream</c>; OpenClaw <c>agent</c>
    /// <c>tool</c> events with <c>phase</c> <c>start</c> then <c>result</c>; Praxis nothing.
    /// </summary>
    /// <param name="name">The tool's name.</param>
    /// <param name="arguments">Its arguments, or null for none.</param>
    /// <param name="result">What it returned, or null.</param>
    /// <param name="callId">The call's id; null makes one up (<c>call_1</c>, <c>call_2</c>, … within the turn).</param>
    public Task CallToolAsync(string name, JsonObject? arguments, JsonNode? result, string? callId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var id = callId ?? $"call_{Interlocked.Increment(ref _toolCalls)}";
        return _output.ToolAsync(name, id, (JsonObject?)arguments?.DeepClone(), result?.DeepClone());
    }

    /// <summary>
    /// Sends any other event of the turn: PraisonAI a numbered event to the turn's connection (lost once it closed); OpenClaw an
    /// event named <paramref name="type"/> with <paramref name="data"/> as payload to every connection; Praxis <c>{type, payload}</c>
    /// to the connection.
    /// </summary>
    /// <returns>As <see cref="StreamTokenAsync"/> (OpenClaw: 0).</returns>
    public Task<long> PublishAsync(string type, JsonObject data, EnvelopeShape shape = EnvelopeShape.Wrapped)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(data);
        return _output.PublishAsync(type, data, shape);
    }
}
