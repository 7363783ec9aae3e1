using System.Text.Json.Serialization;

namespace Gateway.Client.Portable;

/// <summary>
/// One thing a scenario asks of its gateway, in a shape that crosses HTTP as JSON: the action and its arguments.
/// </summary>
/// <param name="Action">What to do (the constants of <see cref="ScenarioActions"/>).</param>
/// <param name="SessionId">The session it concerns, where it concerns one.</param>
/// <param name="Labels">The events to publish, one message each.</param>
/// <param name="Number">A sequence number or a count, per action.</param>
/// <param name="Mode">A restart mode (the name of a <c>RestartMode</c>).</param>
internal sealed record ScenarioCommand(
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("sessionId")] string? SessionId = null,
    [property: JsonPropertyName("labels")] string[]? Labels = null,
    [property: JsonPropertyName("number")] long? Number = null,
    [property: JsonPropertyName("mode")] string? Mode = null);
