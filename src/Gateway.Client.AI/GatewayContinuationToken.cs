using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Gateway.Client.AI;

/// <summary>
/// Where a turn can be picked up again (OpenClaw): the session key, the run's idempotency key (its run id), the message
/// (a resend with the same key must carry the same message) and how much text and reasoning the caller has already
/// received. Its bytes are JSON, so a token kept through <see cref="ResponseContinuationToken.ToBytes"/> and
/// <see cref="ResponseContinuationToken.FromBytes"/> reads back the same.
/// </summary>
internal sealed class GatewayContinuationToken : ResponseContinuationToken
{
    private const string Kind = "gateway.turn";
    private const int Version = 1;

    public GatewayContinuationToken(ProtocolDialect dialect, string sessionKey, string turnKey, string message, int textReceived, int reasoningReceived)
    {
        Dialect = dialect;
        SessionKey = sessionKey;
        TurnKey = turnKey;
        Message = message;
        TextReceived = textReceived;
        ReasoningReceived = reasoningReceived;
    }

    public ProtocolDialect Dialect { get; }

    public string SessionKey { get; }

    public string TurnKey { get; }

    public string Message { get; }

    public int TextReceived { get; }

    public int ReasoningReceived { get; }

    public override ReadOnlyMemory<byte> ToBytes()
    {
        using var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("kind", Kind);
            json.WriteNumber("v", Version);
            json.WriteString("dialect", ProtocolDialects.NameOf(Dialect));
            json.WriteString("session", SessionKey);
            json.WriteString("key", TurnKey);
            json.WriteString("message", Message);
            json.WriteNumber("text", TextReceived);
            json.WriteNumber("reasoning", ReasoningReceived);
            json.WriteEndObject();
        }

        return output.ToArray();
    }

    /// <summary>Reads a token this package made (itself, or its bytes through <see cref="ResponseContinuationToken.FromBytes"/>).</summary>
    /// <exception cref="ArgumentException">The token is not one a <see cref="GatewayChatClient"/> made.</exception>
    public static GatewayContinuationToken Read(ResponseContinuationToken token)
    {
        if (token is GatewayContinuationToken ours)
        {
            return ours;
        }

        const string NotOurs = "ChatOptions.ContinuationToken is not a token from a GatewayChatClient (its bytes are not a gateway turn's resume point).";
        try
        {
            using var document = JsonDocument.Parse(token.ToBytes());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "kind") != Kind || !root.TryGetProperty("v", out var v) || v.ValueKind != JsonValueKind.Number || v.GetInt32() != Version
                || !ProtocolDialects.TryParse(Text(root, "dialect"), out var dialect)
                || Text(root, "session") is not { Length: > 0 } session || Text(root, "key") is not { Length: > 0 } key || Text(root, "message") is not { } message
                || Count(root, "text") is not { } text || Count(root, "reasoning") is not { } reasoning)
            {
                throw new ArgumentException(NotOurs, "options");
            }

            return new GatewayContinuationToken(dialect, session, key, message, text, reasoning);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException(NotOurs, "options", ex);
        }
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static int? Count(JsonElement e, string name) => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var n) && n >= 0 ? n : null;
}
