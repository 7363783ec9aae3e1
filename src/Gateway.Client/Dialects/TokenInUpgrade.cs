namespace Gateway.Client.Dialects;

/// <summary>
/// Puts the token on the WebSocket upgrade where <see cref="GatewayClientOptions.TokenPlacement"/> says
/// (the <c>Authorization</c> header, the <c>token</c> query parameter, or both), for dialects that carry it there.
/// In a browser only the query parameter is possible (<see cref="Engine.BrowserWebSocketPolicy"/>).
/// </summary>
internal static class TokenInUpgrade
{
    /// <summary>Sets the header and returns the URL to open (with the query parameter when asked).</summary>
    public static Uri Place(GatewayClientOptions options, string? token, System.Net.WebSockets.ClientWebSocketOptions socket)
    {
        var url = options.Url!;
        if (string.IsNullOrEmpty(token))
        {
            return url;
        }

        var placement = Engine.BrowserWebSocketPolicy.Placement(options.TokenPlacement, Engine.BrowserWebSocketPolicy.IsBrowser);
        if ((placement is TokenPlacement.AuthorizationHeader or TokenPlacement.Both) && !Engine.BrowserWebSocketPolicy.IsBrowser)
        {
            socket.SetRequestHeader("Authorization", "Bearer " + token);
        }

        if (placement is TokenPlacement.QueryString or TokenPlacement.Both)
        {
            var builder = new UriBuilder(url);
            var query = builder.Query.TrimStart('?');
            var pair = "token=" + Uri.EscapeDataString(token!);
            builder.Query = string.IsNullOrEmpty(query) ? pair : query + "&" + pair;
            url = builder.Uri;
        }

        return url;
    }
}
