using System.Text.Json.Serialization.Metadata;

namespace Gateway.Client.PraisonAI;

/// <summary>
/// Source-generated serializers for the typed PraisonAI event bodies, for <see cref="GatewayEvent.GetData{T}()"/>:
/// <c>e.GetData(PraisonAIJsonContext.Default.TokenStreamData)</c>. Trimming- and AOT-safe. To combine them with an
/// app's own context, add <see cref="TypeInfoResolver"/> to its <c>JsonSerializerOptions.TypeInfoResolverChain</c>.
/// </summary>
public sealed class PraisonAIJsonContext
{
    private PraisonAIJsonContext()
    {
    }

    /// <summary>The one instance.</summary>
    public static PraisonAIJsonContext Default { get; } = new();

    /// <summary>The body of <see cref="PraisonAIEventTypes.TokenStream"/>.</summary>
    public JsonTypeInfo<TokenStreamData> TokenStreamData => GeneratedPraisonAIJsonContext.Default.TokenStreamData;

    /// <summary>The body of <see cref="PraisonAIEventTypes.ReasoningStream"/>.</summary>
    public JsonTypeInfo<ReasoningStreamData> ReasoningStreamData => GeneratedPraisonAIJsonContext.Default.ReasoningStreamData;

    /// <summary>The body of <see cref="PraisonAIEventTypes.ToolCallStream"/>.</summary>
    public JsonTypeInfo<ToolCallStreamData> ToolCallStreamData => GeneratedPraisonAIJsonContext.Default.ToolCallStreamData;

    /// <summary>The body of <see cref="PraisonAIEventTypes.StreamEnd"/>.</summary>
    public JsonTypeInfo<StreamEndData> StreamEndData => GeneratedPraisonAIJsonContext.Default.StreamEndData;

    /// <summary>The body of <see cref="PraisonAIEventTypes.Response"/>.</summary>
    public JsonTypeInfo<ResponseData> ResponseData => GeneratedPraisonAIJsonContext.Default.ResponseData;

    /// <summary>The body of <see cref="PraisonAIEventTypes.Error"/>.</summary>
    public JsonTypeInfo<ErrorData> ErrorData => GeneratedPraisonAIJsonContext.Default.ErrorData;

    /// <summary>All of them, as a resolver to chain with an app's own source-generated context.</summary>
    public IJsonTypeInfoResolver TypeInfoResolver => GeneratedPraisonAIJsonContext.Default;
}
