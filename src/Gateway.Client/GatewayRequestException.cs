using System.Text.Json;

namespace Gateway.Client;

/// <summary>The server answered a protocol 2 request with <c>ok:false</c>.</summary>
public sealed class GatewayRequestException : GatewayException
{
    /// <summary>Creates a request error.</summary>
    /// <param name="method">The request's method.</param>
    /// <param name="code">The server's error code.</param>
    /// <param name="message">The server's error message.</param>
    /// <param name="error">The whole <c>error</c> object, for fields beyond code and message.</param>
    public GatewayRequestException(string method, string code, string message, JsonElement? error = null)
        : base($"The gateway rejected the '{method}' request: {code}: {message}")
    {
        Method = Guard.NotNull(method);
        Code = Guard.NotNull(code);
        ServerMessage = message;
        Error = error;
    }

    /// <summary>The request's method.</summary>
    public string Method { get; }

    /// <summary>The server's error code.</summary>
    public string Code { get; }

    /// <summary>The server's error message.</summary>
    public string ServerMessage { get; }

    /// <summary>The server's whole <c>error</c> object.</summary>
    public JsonElement? Error { get; }
}
