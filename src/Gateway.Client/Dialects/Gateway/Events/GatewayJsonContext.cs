using System.Text.Json.Serialization.Metadata;

namespace Gateway.Client;

/// <summary>
/// Source-generated serializers for the typed PraisonAI event bodies, for <see cref="GatewayEvent.GetData{T}"/>:
/// <c>e.GetData(GatewayJsonContext.Default.TokenStreamData)</c>. Trimming- and AOT-safe. To combine them with an
/// app's own context, add <see cref="TypeInfoResolver"/> to its <c>JsonSerializerOptions.TypeInfoResolverChain</c>.
/// </summary>
public sealed class GatewayJsonContext
{
    private GatewayJsonContext()
    {
    }

    /// <summary>The one instance.</summary>
    public static GatewayJsonContext Default { get; } = new();

    /// <summary>The body of <see cref="GatewayEventTypes.TokenStream"/>.</summary>
    public JsonTypeInfo<TokenStreamData> TokenStreamData => GeneratedGatewayJsonContext.Default.TokenStreamData;

    /// <summary>The body of <see cref="GatewayEventTypes.ReasoningStream"/>.</summary>
    public JsonTypeInfo<ReasoningStreamData> ReasoningStreamData => GeneratedGatewayJsonContext.Default.ReasoningStreamData;

    /// <summary>The body of <see cref="GatewayEventTypes.ToolCallStream"/>.</summary>
    public JsonTypeInfo<ToolCallStreamData> ToolCallStreamData => GeneratedGatewayJsonContext.Default.ToolCallStreamData;

    /// <summary>The body of <see cref="GatewayEventTypes.StreamEnd"/>.</summary>
    public JsonTypeInfo<StreamEndData> StreamEndData => GeneratedGatewayJsonContext.Default.StreamEndData;

    /// <summary>The body of <see cref="GatewayEventTypes.Response"/>.</summary>
    public JsonTypeInfo<ResponseData> ResponseData => GeneratedGatewayJsonContext.Default.ResponseData;

    /// <summary>The body of <see cref="GatewayEventTypes.Error"/>.</summary>
    public JsonTypeInfo<ErrorData> ErrorData => GeneratedGatewayJsonContext.Default.ErrorData;

    /// <summary>All of them, as a resolver to chain with an app's own source-generated context.</summary>
    public IJsonTypeInfoResolver TypeInfoResolver => GeneratedGatewayJsonContext.Default;
}
