using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.Wire;

/// <summary>
/// The client's own serializer: the app's <see cref="GatewayClientOptions.TypeInfoResolver"/> first, then the built-in
/// PraisonAI bodies. Typed calls without a <see cref="JsonTypeInfo{T}"/> argument resolve their types here, through
/// source-generated metadata only, so they stay trimming- and AOT-safe.
/// </summary>
internal sealed class ClientJson
{
    private readonly JsonSerializerOptions _options;
    private readonly bool _appResolver;

    /// <summary>The built-in serializers only: for a client without <see cref="GatewayClientOptions.TypeInfoResolver"/>, and events made by tests.</summary>
    public static ClientJson BuiltIn { get; } = new(null);

    /// <summary>The serializer for a client's resolver (one instance shared by every client without one).</summary>
    public static ClientJson For(IJsonTypeInfoResolver? resolver) => resolver is null ? BuiltIn : new ClientJson(resolver);

    private ClientJson(IJsonTypeInfoResolver? resolver)
    {
        _appResolver = resolver is not null;
        _options = new JsonSerializerOptions
        {
            TypeInfoResolver = resolver is null
                ? GeneratedPraisonAIJsonContext.Default
                : JsonTypeInfoResolver.Combine(resolver, GeneratedPraisonAIJsonContext.Default),
        };
        _options.MakeReadOnly();
    }

    /// <summary>The metadata of <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidOperationException">No resolver knows <typeparamref name="T"/>; the message says how to add it.</exception>
    public JsonTypeInfo<T> TypeInfo<T>()
    {
        var info = _options.TypeInfoResolver!.GetTypeInfo(typeof(T), _options);
        if (info is JsonTypeInfo<T> typed)
        {
            return typed;
        }

        var where = _appResolver
            ? "GatewayClientOptions.TypeInfoResolver does not know it"
            : "GatewayClientOptions.TypeInfoResolver is not set";
        throw new InvalidOperationException(
            $"No serializer for {typeof(T).FullName}: {where}. Add [JsonSerializable(typeof({typeof(T).Name}))] to the app's JsonSerializerContext and set it as GatewayClientOptions.TypeInfoResolver, or pass a JsonTypeInfo<{typeof(T).Name}> to the overload that takes one.");
    }
}
