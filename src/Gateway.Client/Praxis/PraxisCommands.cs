namespace Gateway.Client.Praxis;

/// <summary>
/// The frame types a Praxis agent accepts from a client: pass one as the method of
/// <see cref="IGatewayClient.RequestAsync(string, System.Text.Json.JsonElement, System.Threading.CancellationToken)"/>
/// with its payload as the parameters. See docs/praxis.md.
/// </summary>
public static class PraxisCommands
{
    /// <summary><c>{command}</c>: runs a DSL command. The answer is the <c>dslResult</c> payload; each <c>dslProgress</c> before it is an interim answer.</summary>
    public const string DslCommand = "DSL_COMMAND";

    /// <summary><c>{content}</c>: a chat turn. The answer is the assistant's <c>chatMessage</c> payload (or a <c>dslResult</c> when the agent ran it as a command).</summary>
    public const string ChatMessage = "CHAT_MESSAGE";

    /// <summary><c>{workflow: {id, nodes, edges}}</c>: starts a workflow. The answer is the <c>workflowStart</c> payload.</summary>
    public const string ExecuteWorkflow = "EXECUTE_WORKFLOW";

    /// <summary><c>{event_types}</c>: subscribes to event-bus events (documented protocol); use <see cref="PraxisOptions.EventTypes"/> to have it restored after every reconnect.</summary>
    public const string SubscribeEvents = "SUBSCRIBE_EVENTS";

    /// <summary><c>{event_types}</c>: unsubscribes (documented protocol).</summary>
    public const string UnsubscribeEvents = "UNSUBSCRIBE_EVENTS";

    /// <summary>An application-level ping (documented protocol: answered by <c>PONG</c>; the live handler answers with its welcome notice).</summary>
    public const string Ping = "PING";
}
