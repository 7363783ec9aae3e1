using System.Text.Json;

namespace Gateway.Client;

/// <summary>A tool the agent ran itself during a turn: the call, and its result once it came.</summary>
public sealed class GatewayTurnToolCall
{
    internal GatewayTurnToolCall(string? callId, string name, JsonElement? arguments, JsonElement? result, bool isError)
    {
        CallId = callId;
        Name = name;
        Arguments = arguments;
        Result = result;
        IsError = isError;
    }

    /// <summary>The call's id, where the server gives one (it ties a result to its call).</summary>
    public string? CallId { get; }

    /// <summary>The tool's name (empty when the server did not say).</summary>
    public string Name { get; }

    /// <summary>The arguments, as the server sent them.</summary>
    public JsonElement? Arguments { get; }

    /// <summary>The result (on a <see cref="GatewayTurnUpdateKind.ToolResult"/> update).</summary>
    public JsonElement? Result { get; }

    /// <summary>Whether the server marked the result as an error.</summary>
    public bool IsError { get; }

    /// <inheritdoc/>
    public override string ToString() => CallId is null ? Name : $"{Name} ({CallId})";
}
