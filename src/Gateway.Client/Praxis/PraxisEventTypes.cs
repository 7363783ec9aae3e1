namespace Gateway.Client.Praxis;

/// <summary>The frame types a Praxis agent sends, which are the <see cref="GatewayEvent.Type"/> of its events. See docs/praxis.md.</summary>
public static class PraxisEventTypes
{
    /// <summary>A DSL command's progress: <c>{stage, message, details}</c>.</summary>
    public const string DslProgress = "dslProgress";

    /// <summary>A DSL command's result: <c>{success, command, matchedAgents, requiredMCPTools, workflowSuggestion, processTime}</c>, or <c>{success:false, error}</c>.</summary>
    public const string DslResult = "dslResult";

    /// <summary>A workflow (or task) started: <c>{workflowId, executionId, nodes, edges, startTime}</c>.</summary>
    public const string WorkflowStart = "workflowStart";

    /// <summary>A workflow's progress.</summary>
    public const string WorkflowProgress = "workflowProgress";

    /// <summary>A workflow completed.</summary>
    public const string WorkflowComplete = "workflowComplete";

    /// <summary>A workflow (or task) failed.</summary>
    public const string WorkflowError = "workflowError";

    /// <summary>A workflow node's status changed.</summary>
    public const string NodeStatusUpdate = "nodeStatusUpdate";

    /// <summary>A log line from a workflow.</summary>
    public const string WorkflowLog = "workflowLog";

    /// <summary>A tool ran (or failed).</summary>
    public const string ToolResult = "tool_result";

    /// <summary>A chat message: <c>{content, sender, type}</c>. The server's own notices (<c>sender: "system"</c>) are control, never events.</summary>
    public const string ChatMessage = "chatMessage";

    /// <summary>Any other event-bus event.</summary>
    public const string EventStream = "eventStream";

    /// <summary>An error: <c>{message, code}</c> (<c>PARSE_ERROR</c>, <c>INTERNAL_ERROR</c>, <c>WEBSOCKET_ERROR</c>). While a request waits, it fails the request instead.</summary>
    public const string Error = "error";
}
