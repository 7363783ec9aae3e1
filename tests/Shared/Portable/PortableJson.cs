using System.Text.Json.Serialization;

namespace Gateway.Client.Portable;

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
