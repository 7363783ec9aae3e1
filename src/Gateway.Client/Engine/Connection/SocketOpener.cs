using System.Net.Http;
using System.Net.Sockets;
using System.Net.WebSockets;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;

namespace Gateway.Client.Engine;

/// <summary>
/// Opens a connection's socket within <see cref="GatewayClientOptions.HandshakeTimeout"/> on the injected
/// clock: the dialect places the token, certificate checks are installed, and a failure becomes a typed
/// error that explains TLS problems and never carries the token.
/// </summary>
internal static class SocketOpener
{
    /// <summary>Opens the socket. The token goes where the options say and never into an exception message.</summary>
    public static async Task<ClientWebSocket> OpenAsync(GatewayClientOptions options, IDialect dialect, string? token, ServerNumbers numbers, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        UpgradeRefusal.Collect(socket.Options);
        var url = dialect.PrepareConnect(options, token, socket.Options);
        CertificateCheck? certificates;
        try
        {
            certificates = CertificateCheck.Install(socket.Options, options.RemoteCertificateValidationCallback, url);
            KeepAlive(socket.Options, options, dialect);
            options.ConfigureWebSocket?.Invoke(socket.Options);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timer = options.HandshakeTimeout == Timeout.InfiniteTimeSpan
            ? null
            : options.TimeProvider.CreateTimer(static state => ((CancellationTokenSource)state!).Cancel(), timeout, options.HandshakeTimeout, Timeout.InfiniteTimeSpan);
        try
        {
            await socket.ConnectAsync(url, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var (status, retryAfter) = ex is OperationCanceledException ? (null, null) : UpgradeRefusal.Read(socket, ex, options.TimeProvider, numbers);
            socket.Dispose();
            var redactedUrl = UrlRedactor.Redact(options.Url!);
            Exception Scrub(Exception error) => SecretScrubber.Scrub(error, token);
            if (ex is not OperationCanceledException
                && (certificates is null ? CertificateCheck.ExplainWithoutCheck(ex, redactedUrl, Scrub) : certificates.Explain(ex, redactedUrl, Scrub)) is { } tls)
            {
                throw tls;
            }

            var reason = ex is OperationCanceledException
                ? $"the socket did not open within {options.HandshakeTimeout.TotalSeconds:0.###} s"
                : status is { } refused
                    ? $"the server refused the WebSocket upgrade with HTTP {(int)refused} ({refused}){(retryAfter is { } after ? $", asking to retry after {after.TotalSeconds:0.###} s" : string.Empty)}"
                    : BrowserWebSocketPolicy.UnexplainedConnectFailure(BrowserWebSocketPolicy.IsBrowser) ?? SecretScrubber.Redact(FailureReason(ex), token);
            throw new GatewayConnectionException(
                $"Could not connect to {redactedUrl}: {reason}",
                innerException: Scrub(ex))
            {
                HttpStatusCode = status,
                RetryAfter = retryAfter,
            };
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        UpgradeRefusal.Release(socket);
        return socket;
    }

    /// <summary>
    /// Why the socket did not open, in the words of the layer that knows: .NET says only "Unable to connect to the remote
    /// server" and keeps the socket's own reason ("Connection refused", "Name or service not known") a few inner
    /// exceptions down. The innermost <see cref="SocketException"/> (with its code, which reads the same in every
    /// language), else the innermost <see cref="HttpRequestException"/>, else the exception's own message.
    /// </summary>
    private static string FailureReason(Exception ex)
    {
        SocketException? socket = null;
        HttpRequestException? http = null;
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            socket = inner as SocketException ?? socket;
            http = inner as HttpRequestException ?? http;
        }

        return socket is not null ? $"{socket.Message} ({socket.SocketErrorCode})" : http?.Message ?? ex.Message;
    }

    /// <summary>
    /// For a dialect whose protocol has no heartbeat: the socket pings every heartbeat interval and aborts
    /// when no pong arrives within another (so a dead peer is found within about two intervals). Set
    /// before <see cref="GatewayClientOptions.ConfigureWebSocket"/>, which may change it. Never in a browser, which has
    /// no such setting: there such a dialect pings itself (<see cref="BrowserWebSocketPolicy.SocketKeepAlive"/>).
    /// </summary>
    private static void KeepAlive(ClientWebSocketOptions socket, GatewayClientOptions options, IDialect dialect)
    {
#if NET9_0_OR_GREATER
        if (dialect.Liveness == LivenessStyle.SocketKeepAlive && !BrowserWebSocketPolicy.IsBrowser)
        {
            var interval = options.HeartbeatInterval ?? ConnectionDriver.DefaultHeartbeat;
            socket.KeepAliveInterval = interval;
            socket.KeepAliveTimeout = interval;
        }
#endif
    }
}
