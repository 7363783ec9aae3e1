using System.Text.Json;
using System.Text.Json.Serialization;
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
    // Only the PraisonAI bodies come built in: that the generated context also knows string or JsonElement (the bodies'
    // property types) is an accident no app should come to rely on.
    private static readonly HashSet<Type> BuiltInBodies = new()
    {
        typeof(TokenStreamData), typeof(ReasoningStreamData), typeof(ToolCallStreamData), typeof(StreamEndData), typeof(ResponseData), typeof(ErrorData),
    };

    private readonly IJsonTypeInfoResolver? _app;
    private readonly JsonSerializerOptions? _appOptions;

    /// <summary>The built-in serializers only: for a client without <see cref="GatewayClientOptions.TypeInfoResolver"/>, and events made by tests.</summary>
    public static ClientJson BuiltIn { get; } = new(null);

    /// <summary>The serializer for a client's resolver (one instance shared by every client without one).</summary>
    public static ClientJson For(IJsonTypeInfoResolver? resolver) => resolver is null ? BuiltIn : new ClientJson(resolver);

    private ClientJson(IJsonTypeInfoResolver? resolver)
    {
        _app = resolver;
        if (resolver is not null and not JsonSerializerContext)
        {
            _appOptions = new JsonSerializerOptions { TypeInfoResolver = resolver };
            _appOptions.MakeReadOnly();
        }
    }

    /// <summary>
    /// The metadata of <typeparamref name="T"/>. A <see cref="JsonSerializerContext"/> answers with its own options (its
    /// naming policy, converters), so a typed call writes exactly what the overload taking its <c>JsonTypeInfo</c> writes.
    /// </summary>
    /// <exception cref="InvalidOperationException">No resolver knows <typeparamref name="T"/>; the message says how to add it.</exception>
    public JsonTypeInfo<T> TypeInfo<T>()
    {
        var info = _app switch
        {
            JsonSerializerContext context => context.GetTypeInfo(typeof(T)),
            { } resolver => resolver.GetTypeInfo(typeof(T), _appOptions!),
            _ => null,
        };
        if (info is null && BuiltInBodies.Contains(typeof(T)))
        {
            info = GeneratedPraisonAIJsonContext.Default.GetTypeInfo(typeof(T));
        }

        if (info is JsonTypeInfo<T> typed)
        {
            return typed;
        }

        var where = _app is not null
            ? "GatewayClientOptions.TypeInfoResolver does not know it"
            : "GatewayClientOptions.TypeInfoResolver is not set";
        var raw = typeof(T) == typeof(string) || typeof(T) == typeof(byte[]) || typeof(T) == typeof(ReadOnlyMemory<byte>)
            ? " A frame that is already JSON goes to SendAsync(ReadOnlyMemory<byte>) or SendAsync(JsonElement) as it is."
            : string.Empty;
        throw new InvalidOperationException(
            $"No serializer for {typeof(T).FullName}: {where}. Add [JsonSerializable(typeof({typeof(T).Name}))] to the app's JsonSerializerContext and set it as GatewayClientOptions.TypeInfoResolver, or pass a JsonTypeInfo<{typeof(T).Name}> to the overload that takes one.{raw}");
    }
}
