namespace Gateway.Client.PraisonAI;

/// <summary>
/// The event types of the agent-gateway protocol 1/2 (PraisonAI), the <see cref="GatewayEvent.Type"/> of its
/// events. Typed bodies for the most used ones are in <see cref="PraisonAIJsonContext"/>.
/// </summary>
public static class PraisonAIEventTypes
{
    /// <summary>A turn's answer (flat): <c>status</c> (<c>accepted</c>, then <c>final</c>), <c>content</c>, <c>outcome</c>. See <see cref="ResponseData"/>.</summary>
    public const string Response = "response";

    /// <summary>A message of the session (flat), for example another participant's turn.</summary>
    public const string Message = "message";

    /// <summary>An error (flat): <c>message</c>, and <c>code</c> when the server gives one. See <see cref="ErrorData"/>.</summary>
    public const string Error = "error";

    /// <summary>A piece of the answer's text as it is generated: <c>data.content</c>. See <see cref="TokenStreamData"/>.</summary>
    public const string TokenStream = "token_stream";

    /// <summary>A piece of the model's reasoning ("thinking"), shown apart from the answer: <c>data.content</c>. See <see cref="ReasoningStreamData"/>.</summary>
    public const string ReasoningStream = "reasoning_stream";

    /// <summary>A tool call as the model streams it: <c>data.tool_call</c>. See <see cref="ToolCallStreamData"/>.</summary>
    public const string ToolCallStream = "tool_call_stream";

    /// <summary>A tool's progress: <c>data.content</c>, <c>data.metadata</c>.</summary>
    public const string ToolProgressStream = "tool_progress_stream";

    /// <summary>A tool's result: <c>data.tool_call</c>, <c>data.metadata</c>.</summary>
    public const string ToolResultStream = "tool_result_stream";

    /// <summary>The stream failed: <c>data.error</c>.</summary>
    public const string StreamError = "stream_error";

    /// <summary>The stream of the turn ended (the final <see cref="Response"/> follows or came). See <see cref="StreamEndData"/>.</summary>
    public const string StreamEnd = "stream_end";

    /// <summary>The agent fell back to another model: <c>data.metadata</c>.</summary>
    public const string ModelFallbackStream = "model_fallback_stream";

    /// <summary>The agent retries a step: <c>data.metadata</c>.</summary>
    public const string RetryStream = "retry_stream";

    /// <summary>The agent's to-do list changed: <c>data.metadata</c>.</summary>
    public const string TodoStream = "todo_stream";

    /// <summary>The agent's state (unnumbered), for example <c>thinking</c>.</summary>
    public const string Status = "status";

    /// <summary>The active turn was aborted (unnumbered), after <see cref="PraisonAIClientExtensions.AbortAsync(IGatewayClient, string, CancellationToken)"/>.</summary>
    public const string Aborted = "aborted";

    /// <summary>An abort found no active turn (unnumbered).</summary>
    public const string NoActiveTurn = "no_active_turn";
}
