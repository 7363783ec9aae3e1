using System.Text.Json.Serialization;

namespace Gateway.Client.PraisonAI;

/// <summary>The source-generated serializers behind <see cref="PraisonAIJsonContext"/> (internal: the generator's public surface differs between target frameworks).</summary>
[JsonSerializable(typeof(TokenStreamData))]
[JsonSerializable(typeof(ReasoningStreamData))]
[JsonSerializable(typeof(ToolCallStreamData))]
[JsonSerializable(typeof(StreamEndData))]
[JsonSerializable(typeof(ResponseData))]
[JsonSerializable(typeof(ErrorData))]
internal sealed partial class GeneratedPraisonAIJsonContext : JsonSerializerContext
{
}
