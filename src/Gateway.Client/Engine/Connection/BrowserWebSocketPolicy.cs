using System.Net.WebSockets;
#if NET
using System.Runtime.Versioning;
#endif

namespace Gateway.Client.Engine;

/// <summary>
/// Everything the client does differently in a browser (Blazor WebAssembly), decided in one place. A browser's
/// WebSocket cannot carry request headers, does not show the HTTP status of a refused upgrade, validates TLS itself
/// with no callback, and has no keep-alive or proxy settings. Options that need any of that are refused when the
/// client is constructed; everything else runs as on a server, with the token in the query string. The decisions
/// take <c>isBrowser</c> so tests on a server can make them both ways; the engine passes <see cref="IsBrowser"/>.
/// Call sites the browser does not support are guarded with <see cref="IsBrowser"/>, which the platform-compatibility
/// analyzer (CA1416, on for the browser in the project file) understands.
/// </summary>
internal static class BrowserWebSocketPolicy
{
    /// <summary>True when running in a browser (WebAssembly).</summary>
#if NET
    [SupportedOSPlatformGuard("browser")]
    public static bool IsBrowser => OperatingSystem.IsBrowser();
#else
    // The browser loads the net8.0/net10.0 build; this one only has to answer the same question.
    public static bool IsBrowser => System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Create("BROWSER"));
#endif

    /// <summary>
    /// Why <paramref name="options"/> cannot work in a browser: the option (relative to <see cref="GatewayClientOptions"/>)
    /// and the problem, or null when they can (always null outside a browser). Runs
    /// <see cref="GatewayClientOptions.ConfigureWebSocket"/> once on a socket that never connects, to find settings the
    /// browser lacks before the first connect instead of at it.
    /// </summary>
    public static (string Option, string Problem)? Refusal(GatewayClientOptions options, bool tokenInUpgrade, bool isBrowser)
    {
        if (!isBrowser)
        {
            return null;
        }

        if (tokenInUpgrade && options.TokenPlacement == TokenPlacement.AuthorizationHeader)
        {
            return (nameof(GatewayClientOptions.TokenPlacement),
                "cannot be AuthorizationHeader in a browser: a browser cannot set headers on a WebSocket. Use TokenPlacement.QueryString (the token query parameter, which is where PraisonAI reads it).");
        }

        if (options.RemoteCertificateValidationCallback is not null)
        {
            return (nameof(GatewayClientOptions.RemoteCertificateValidationCallback),
                "cannot be used in a browser: the browser validates the server's certificate itself and gives a page no say in it (no callback, no pinning, no client certificates). Serve the gateway with a certificate the browser trusts.");
        }

        if (options.ConfigureWebSocket is { } configure && ConfigureFails(configure) is { } lacking)
        {
            return (nameof(GatewayClientOptions.ConfigureWebSocket),
                $"sets something a browser's WebSocket does not have ({lacking}): in a browser, headers, proxies, credentials, client certificates and keep-alive cannot be set; sub-protocols can.");
        }

        return null;
    }

    /// <summary>Where the token goes: in a browser, <see cref="TokenPlacement.Both"/> is the query parameter alone (no header can be set there).</summary>
    public static TokenPlacement Placement(TokenPlacement configured, bool isBrowser) =>
        isBrowser && configured == TokenPlacement.Both ? TokenPlacement.QueryString : configured;

    /// <summary>Whether the socket's own keep-alive can find a dead peer: not in a browser, which has no such setting (the client pings instead).</summary>
    public static bool SocketKeepAlive(bool available, bool isBrowser) => available && !isBrowser;

    /// <summary>
    /// Why a socket did not open, when nothing better is known: in a browser the upgrade's HTTP status is never visible,
    /// so a refusal (401, 403, 429, 503), an unreachable server and a TLS failure look alike; null outside a browser.
    /// </summary>
    public static string? UnexplainedConnectFailure(bool isBrowser) =>
        isBrowser
            ? "the browser did not open the WebSocket and does not tell a page why (a refused upgrade such as HTTP 401 or 403, an unreachable server and a TLS failure look the same there; the browser's developer console shows the cause)"
            : null;

    /// <summary>What the client does differently from how it is configured, to say once when it is created; null when nothing.</summary>
    public static string? Adjustments(GatewayClientOptions options, bool tokenInUpgrade, bool isBrowser) =>
        isBrowser && tokenInUpgrade && options.TokenPlacement == TokenPlacement.Both
            ? "TokenPlacement.Both sends the token in the query parameter only: a browser cannot set the Authorization header on a WebSocket"
            : null;

    /// <summary>The message of the <see cref="PlatformNotSupportedException"/> the callback throws on a socket that never connects, or null.</summary>
    private static string? ConfigureFails(Action<ClientWebSocketOptions> configure)
    {
        using var probe = new ClientWebSocket();
        try
        {
            configure(probe.Options);
            return null;
        }
        catch (PlatformNotSupportedException ex)
        {
            return ex.Message;
        }
    }
}
