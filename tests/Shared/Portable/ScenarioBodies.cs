using System.Text.Json.Serialization;

namespace Gateway.Client.Portable;

// The JSON bodies the scenarios exchange with their gateway: small records, one concept.

/// <summary>The data of the scenarios' <c>message</c> events.</summary>
internal sealed record MessageData([property: JsonPropertyName("n")] string N);

/// <summary>The <c>echo</c> method's request.</summary>
internal sealed record EchoRequest([property: JsonPropertyName("text")] string Text);

/// <summary>The <c>echo</c> method's answer: the text in capitals.</summary>
internal sealed record EchoReply([property: JsonPropertyName("text")] string Text);

/// <summary>Praxis's <c>CHAT_MESSAGE</c> payload.</summary>
internal sealed record ChatRequest([property: JsonPropertyName("content")] string Content);
