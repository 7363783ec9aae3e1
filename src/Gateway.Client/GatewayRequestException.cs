using System.Text.Json;

namespace Gateway.Client;

/// <summary>
/// A request was refused: the server answered it with an error (<c>ok:false</c>), or, where
/// <see cref="RefusedByClient"/> is set, the client refused to send it (the message says why; nothing was written).
/// </summary>
public sealed class GatewayRequestException : GatewayException
{
    /// <summary>Creates a request error.</summary>
    /// <param name="method">The request's method.</param>
    /// <param name="code">The server's error code.</param>
    /// <param name="message">The server's error message.</param>
    /// <param name="error">The whole <c>error</c> object, for fields beyond code and message.</param>
    public GatewayRequestException(string method, string code, string message, JsonElement? error = null)
        : this(method, code, message, error, refusedByClient: false)
    {
    }

    private GatewayRequestException(string method, string code, string message, JsonElement? error, bool refusedByClient)
        : base(refusedByClient
            ? $"The client did not send the '{method}' request: {code}: {message}"
            : $"The gateway rejected the '{method}' request: {code}: {message}")
    {
        Method = Guard.NotNull(method);
        Code = Guard.NotNull(code);
        ServerMessage = message;
        Error = error;
        RefusedByClient = refusedByClient;
    }

    /// <summary>
    /// The client refused the request before writing it (for example a Praxis connection with too many requests awaiting
    /// their answers; docs/praxis.md): the server never saw it, and it is safe to send again later.
    /// </summary>
    public bool RefusedByClient { get; }

    /// <summary>A request the client refused to send; <see cref="ServerMessage"/> then holds the client's reason.</summary>
    internal static GatewayRequestException ClientRefusal(string method, string code, string reason) =>
        new(method, code, reason, null, refusedByClient: true);

    /// <summary>The request's method.</summary>
    public string Method { get; }

    /// <summary>The server's error code.</summary>
    public string Code { get; }

    /// <summary>The server's error message (the client's reason when <see cref="RefusedByClient"/>).</summary>
    public string ServerMessage { get; }

    /// <summary>The server's whole <c>error</c> object.</summary>
    public JsonElement? Error { get; }
}
