using System.Text.Json.Serialization;

namespace Dashboard;

/// <summary>
/// What the host's <c>/api/connection</c> answers: where the browser connects (the host's relay, relative to the page),
/// a short-lived single-use token for it, and the dialect and agent to speak. Never the gateway's own token.
/// </summary>
public sealed record ConnectionInfo(
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("dialect")] string Dialect,
    [property: JsonPropertyName("agentId")] string AgentId,
    [property: JsonPropertyName("demo")] bool Demo);

/// <summary>Source-generated JSON for the host's answers (trimming-safe in the published app).</summary>
[JsonSerializable(typeof(ConnectionInfo))]
internal sealed partial class DashboardJson : JsonSerializerContext;
