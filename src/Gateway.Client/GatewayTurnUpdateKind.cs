namespace Gateway.Client;

/// <summary>What a <see cref="GatewayTurnUpdate"/> of an agent turn (<see cref="GatewayTurnExtensions.AskAsync"/>) carries.</summary>
public enum GatewayTurnUpdateKind
{
    /// <summary>The server took the message; <see cref="GatewayTurnUpdate.Text"/> is what it said, if anything ("Started processing.").</summary>
    Accepted,

    /// <summary>A piece of the answer's text, in order; each piece is delivered once.</summary>
    TextDelta,

    /// <summary>A piece of the agent's reasoning ("thinking"), shown apart from the answer.</summary>
    ReasoningDelta,

    /// <summary>The agent called a tool it runs itself (<see cref="GatewayTurnUpdate.ToolCall"/>).</summary>
    ToolCall,

    /// <summary>A tool's result (<see cref="GatewayTurnUpdate.ToolCall"/> with its <see cref="GatewayTurnToolCall.Result"/>).</summary>
    ToolResult,

    /// <summary>A progress note from the server or the client (queued, a tool's progress, a retry); <see cref="GatewayTurnUpdate.Text"/> says what.</summary>
    Status,

    /// <summary>The connection dropped and the turn goes on over the next one (a dialect that can resume a turn).</summary>
    Resumed,

    /// <summary>The last update of every turn, exactly once: <see cref="GatewayTurnUpdate.Outcome"/> says how it ended.</summary>
    Final,
}
