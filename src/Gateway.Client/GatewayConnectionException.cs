using System.Net;
using System.Net.WebSockets;

namespace Gateway.Client;

/// <summary>The connection could not be opened, or it was closed or lost.</summary>
public sealed class GatewayConnectionException : GatewayException
{
    /// <summary>Creates a connection error.</summary>
    /// <param name="message">A message for people; it never contains the token.</param>
    /// <param name="closeStatus">The WebSocket close code, when the server closed the connection.</param>
    /// <param name="closeDescription">The close reason the server gave, if any.</param>
    /// <param name="innerException">The transport error, if any.</param>
    public GatewayConnectionException(
        string message,
        WebSocketCloseStatus? closeStatus = null,
        string? closeDescription = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        CloseStatus = closeStatus;
        CloseDescription = closeDescription;
    }

    /// <summary>The close code the server sent (for example 4002 for a liveness timeout), if it closed the connection.</summary>
    public WebSocketCloseStatus? CloseStatus { get; }

    /// <summary>The close reason the server sent, if any.</summary>
    public string? CloseDescription { get; }

    /// <summary>
    /// The HTTP status with which the server (or a proxy in front of it) refused the WebSocket upgrade,
    /// for example 401, 403, 404, 429 or 503; null when the upgrade was not refused with a status. Always null in a
    /// browser, which does not show a page the status of a refused upgrade (the message says so).
    /// </summary>
    public HttpStatusCode? HttpStatusCode { get; internal init; }

    /// <summary>
    /// How long the server asked the client to wait (the <c>Retry-After</c> header of a refused upgrade,
    /// in seconds or as an HTTP date), at most one hour; the next attempt waits at least this long.
    /// </summary>
    public TimeSpan? RetryAfter { get; internal init; }

    /// <summary>
    /// True when a request's frame was written and the connection ended before its answer arrived (or the write
    /// failed part-way): the gateway may or may not have acted on it. The client never sends such a request again,
    /// unless it has a <see cref="OpenClaw.OpenClawRequestOptions.IdempotencyKey"/> (OpenClaw) (docs/reliability.md,
    /// "Requests: at most once").
    /// </summary>
    public bool OutcomeUnknown { get; internal init; }
}
