using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using Gateway.Client.Dialects;

namespace Gateway.Client.Engine;

/// <summary>
/// Reads a refused WebSocket upgrade: the HTTP status the server (or a proxy) answered instead of 101,
/// and its <c>Retry-After</c> (seconds or an HTTP date), clamped like every number from the server.
/// A browser shows neither: there every refusal reads as no status (<see cref="BrowserWebSocketPolicy"/>).
/// </summary>
internal static class UpgradeRefusal
{
    /// <summary>Asks the socket to keep the upgrade response's status and headers (where the framework can).</summary>
    public static void Collect(ClientWebSocketOptions options)
    {
#if NET
        if (!BrowserWebSocketPolicy.IsBrowser)
        {
            options.CollectHttpResponseDetails = true;
        }
#endif
    }

    /// <summary>Drops what <see cref="Collect"/> kept once the upgrade succeeded: an open socket needs none of it.</summary>
    public static void Release(ClientWebSocket socket)
    {
#if NET
        if (!BrowserWebSocketPolicy.IsBrowser)
        {
            socket.HttpResponseHeaders = null;
        }
#endif
    }

    /// <summary>The refusal's status and retry-after, if the upgrade was refused with a status.</summary>
    public static (HttpStatusCode? Status, TimeSpan? RetryAfter) Read(ClientWebSocket socket, Exception error, TimeProvider clock, ServerNumbers numbers)
    {
#if NET
        _ = error;
        if (BrowserWebSocketPolicy.IsBrowser)
        {
            return (null, null);
        }

        var status = (int)socket.HttpStatusCode;
        if (status is < 400 or > 599)
        {
            return (null, null);
        }

        string? retryAfter = null;
        if (socket.HttpResponseHeaders is { } headers && headers.TryGetValue("Retry-After", out var values))
        {
            retryAfter = values.FirstOrDefault();
        }

        return ((HttpStatusCode)status, ParseRetryAfter(retryAfter, clock.GetUtcNow(), numbers));
#else
        // Older frameworks expose the status only in the message: "... status code '401' when status code '101' was expected."
        _ = socket;
        _ = clock;
        _ = numbers;
        var match = System.Text.RegularExpressions.Regex.Match(error.Message, "'([45][0-9][0-9])'");
        return match.Success ? ((HttpStatusCode)int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), null) : (null, null);
#endif
    }

    /// <summary><c>Retry-After</c> as delay seconds or an HTTP date (RFC 9110 §10.2.3); anything else is ignored.</summary>
    public static TimeSpan? ParseRetryAfter(string? value, DateTimeOffset now, ServerNumbers numbers)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        value = value!.Trim();
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return numbers.DelaySeconds("Retry-After", seconds);
        }

        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            return numbers.DelaySeconds("Retry-After", Math.Max(0, (date - now).TotalSeconds));
        }

        return null;
    }
}
