using System.Net.WebSockets;
using Microsoft.AspNetCore.WebUtilities;

namespace Dashboard.Host;

/// <summary>
/// The browser's WebSocket to the gateway, through the host: the browser presents a short-lived token from
/// <see cref="BrowserTokens"/>; the host opens the gateway connection with the gateway's own token (in the query or a
/// header, which only a server can set) and copies frames both ways unchanged. When either side goes, the other is cut
/// the same way: a dropped gateway connection is a dropped browser connection, so the client resumes as it would.
/// </summary>
public static class GatewayRelay
{
    /// <summary>How long opening the gateway connection may take.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long the other side has to finish a close handshake one side began.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Relays one browser connection.</summary>
    public static async Task RelayAsync(HttpContext context, BrowserTokens tokens, GatewayTarget target, ILogger logger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (!tokens.TryRedeem(context.Request.Query["token"]))
        {
            // The browser cannot read this status; the client reports a refused upgrade and asks for a new token next time.
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        using var upstream = new ClientWebSocket();
        try
        {
            using var connecting = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            connecting.CancelAfter(ConnectTimeout);
            await upstream.ConnectAsync(UpstreamUrl(context.Request.Query, target, upstream.Options), connecting.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            logger.LogWarning("The gateway at {Gateway} refused or did not answer the relay: {Reason}", target.Url, e.Message);
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            return;
        }

        using var browser = await context.WebSockets.AcceptWebSocketAsync();
        var toGateway = CopyAsync(browser, upstream, context.RequestAborted);
        var toBrowser = CopyAsync(upstream, browser, context.RequestAborted);
        var first = await Task.WhenAny(toGateway, toBrowser);
        if (await first)
        {
            // One side closed cleanly and its close was passed on: give the other side its bounded turn to answer.
            await Task.WhenAny(first == toGateway ? toBrowser : toGateway, Task.Delay(CloseTimeout, context.RequestAborted));
        }

        // Whatever is still open is cut, as the network cut the other side.
        upstream.Abort();
        browser.Abort();
        await Task.WhenAll(toGateway, toBrowser);
    }

    // The browser's query (minus its token) goes on to the gateway, with the gateway's token where the gateway reads it.
    private static Uri UpstreamUrl(IQueryCollection query, GatewayTarget target, ClientWebSocketOptions options)
    {
        var url = target.Url.ToString();
        foreach (var (name, values) in query)
        {
            if (!string.Equals(name, "token", StringComparison.Ordinal))
            {
                foreach (var value in values)
                {
                    url = QueryHelpers.AddQueryString(url, name, value ?? string.Empty);
                }
            }
        }

        if (target.Token is { } token)
        {
            if (target.TokenInHeader)
            {
                options.SetRequestHeader("Authorization", $"Bearer {token}");
            }
            else
            {
                url = QueryHelpers.AddQueryString(url, "token", token);
            }
        }

        return new Uri(url);
    }

    // Copies messages until the source closes (true: the close was passed on) or fails (false).
    private static async Task<bool> CopyAsync(WebSocket source, WebSocket destination, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var received = await source.ReceiveAsync(buffer, cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    using var closing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    closing.CancelAfter(CloseTimeout);
                    await destination.CloseOutputAsync(source.CloseStatus ?? WebSocketCloseStatus.NormalClosure, source.CloseStatusDescription, closing.Token);
                    return true;
                }

                await destination.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, cancellationToken);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
    }
}
