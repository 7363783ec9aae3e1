using System.Text.Json.Serialization;

namespace Gateway.Client.Portable;

/// <summary>The data of the scenarios' <c>message</c> events.</summary>
internal sealed record MessageData([property: JsonPropertyName("n")] string N);

/// <summary>The <c>echo</c> method's request.</summary>
internal sealed record EchoRequest([property: JsonPropertyName("text")] string Text);

/// <summary>The <c>echo</c> method's answer: the text in capitals.</summary>
internal sealed record EchoReply([property: JsonPropertyName("text")] string Text);

/// <summary>Praxis's <c>CHAT_MESSAGE</c> payload.</summary>
internal sealed record ChatRequest([property: JsonPropertyName("content")] string Content);

/// <summary>Source-generated JSON for the scenarios and their HTTP commands (the browser app is trimmed).</summary>
[JsonSerializable(typeof(MessageData))]
[JsonSerializable(typeof(EchoRequest))]
[JsonSerializable(typeof(EchoReply))]
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(ScenarioCommand))]
[JsonSerializable(typeof(ScenarioCommandResult))]
[JsonSerializable(typeof(ScenarioGatewaySetup))]
[JsonSerializable(typeof(ScenarioGatewayAddress))]
[JsonSerializable(typeof(ScenarioOutcome))]
internal sealed partial class PortableJson : JsonSerializerContext;
