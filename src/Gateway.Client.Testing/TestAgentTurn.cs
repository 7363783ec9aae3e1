using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>One user turn handed to a <see cref="TestAgent"/>: the message, and ways to stream events back.</summary>
public sealed class TestAgentTurn
{
    private readonly TestSession _session;

    internal TestAgentTurn(TestSession session, JsonElement content)
    {
        _session = session;
        Content = content;
    }

    /// <summary>The session the turn belongs to.</summary>
    public string SessionId => _session.Id;

    /// <summary>The message's <c>content</c> as sent.</summary>
    public JsonElement Content { get; }

    /// <summary>The content as text (a JSON string's value, or the raw JSON of anything else).</summary>
    public string ContentText => Content.ValueKind == JsonValueKind.String ? Content.GetString()! : Content.GetRawText();

    /// <summary>Streams a <c>token_stream</c> event (wrapped, numbered).</summary>
    public Task<long> StreamTokenAsync(string token) =>
        _session.PublishAsync("token_stream", new JsonObject { ["content"] = token }, EnvelopeShape.Wrapped);

    /// <summary>Publishes any numbered event in the session.</summary>
    public Task<long> PublishAsync(string type, JsonObject data, EnvelopeShape shape = EnvelopeShape.Wrapped) =>
        _session.PublishAsync(type, data, shape);
}
