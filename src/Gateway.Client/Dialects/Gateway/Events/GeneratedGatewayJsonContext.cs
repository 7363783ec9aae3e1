using System.Text.Json.Serialization;

namespace Gateway.Client;

/// <summary>The source-generated serializers behind <see cref="GatewayJsonContext"/> (internal: the generator's public surface differs between target frameworks).</summary>
[JsonSerializable(typeof(TokenStreamData))]
[JsonSerializable(typeof(ReasoningStreamData))]
[JsonSerializable(typeof(ToolCallStreamData))]
[JsonSerializable(typeof(StreamEndData))]
[JsonSerializable(typeof(ResponseData))]
[JsonSerializable(typeof(ErrorData))]
internal sealed partial class GeneratedGatewayJsonContext : JsonSerializerContext
{
}
