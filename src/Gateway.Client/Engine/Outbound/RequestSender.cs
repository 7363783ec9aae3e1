using System.Text.Json;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.OpenClaw;
using Gateway.Client.Wire;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Engine;

/// <summary>
/// Requests, at most once. A request is registered on the connection it is about to be written on, just before
/// the write, and belongs to that connection from then on. If nothing was written (the connection was found
/// closing), it waits for the next connection, bounded by <see cref="GatewayClientOptions.SendTimeout"/>, and is
/// written there; the old connection's end never fails it. If its frame was written and the connection ended
/// before the answer, it fails with <see cref="GatewayConnectionException.OutcomeUnknown"/> and is never sent
/// again, unless it carries an idempotency key the gateway deduplicates by: then it is sent again on the next
/// connection, within its request timeout.
/// </summary>
internal sealed class RequestSender
{
    private readonly GatewayClientOptions _options;
    private readonly IDialect _dialect;
    private readonly ClientState _state;
    private readonly CallbackDispatcher _callbacks;
    private readonly ILogger _logger;
    private long _nextId;

    public RequestSender(GatewayClientOptions options, IDialect dialect, ClientState state, CallbackDispatcher callbacks, ILogger logger)
    {
        _options = options;
        _dialect = dialect;
        _state = state;
        _callbacks = callbacks;
        _logger = logger;
    }

    /// <summary>
    /// Sends a request and waits for its (final) answer as <paramref name="options"/> say. <paramref name="inStream"/>,
    /// when given, runs on the receive loop at the point in the stream where the answer arrived.
    /// </summary>
    public async Task<ResponseFrame> SendAsync(string method, JsonElement? parameters, Action<ResponseFrame>? inStream, GatewayRequestOptions options, CancellationToken cancellationToken)
    {
        var session = _state.Session;
        var state = _state.Current;
        if (session is null || state is ConnectionState.Disconnected or ConnectionState.Failed)
        {
            throw new GatewayConnectionException($"Cannot send a request: the client is {state}.");
        }

        if (options is OpenClawRequestOptions && _dialect.WhyNoIdempotencyKey is { } noKey)
        {
            throw new ArgumentException($"OpenClawRequestOptions are for the OpenClaw dialect; this client speaks {DialectCatalog.For(_options.Dialect).Name}: {noKey}.", nameof(options));
        }

        if (_dialect.WhyNoRequests(session) is { } unsupported)
        {
            throw new GatewayCapabilityException(nameof(GatewayCapabilities.Requests), unsupported);
        }

        var key = (options as OpenClawRequestOptions)?.IdempotencyKey;

        var id = "r" + Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var output = new PooledBufferWriter();
        _dialect.WriteRequest(output, id, method, parameters, key);
        var frame = output.WrittenMemory;

        // Interim answers arrive on the receive loop: the app's Report runs on the callback task.
        Action<ResponseFrame>? onInterim = options.Progress is not { } progress ? null : interim =>
        {
            if (interim.Result is { } data)
            {
                var report = new GatewayRequestProgress(interim.IsProgress ? GatewayRequestProgressKind.Progress : GatewayRequestProgressKind.Accepted, data);
                _callbacks.Post($"Progress of request '{method}'", () => progress.Report(report));
            }
        };

        var claim = new RequestClaim(id, inStream, onInterim, options.ExpectFinal);
        var timeout = options.Timeout ?? _options.RequestTimeout;
        DateTimeOffset? answerDeadline = null;
        GatewayConnectionException? lostEarlier = null;
        while (true)
        {
            LiveConnection live;
            Task<ResponseFrame> answer;
            try
            {
                (live, answer) = await WriteAsync(frame, claim, answerDeadline, cancellationToken).ConfigureAwait(false);
            }
            catch (GatewayConnectionException partly) when (partly.OutcomeUnknown && key is not null && !cancellationToken.IsCancellationRequested)
            {
                // The write broke part-way: as with a connection lost before the answer, the key makes a repeat safe,
                // within the request's time (counted from its first write).
                answerDeadline ??= TimeProviderDelay.DeadlineAfter(_options.TimeProvider, timeout);
                if (_options.TimeProvider.GetUtcNow() >= answerDeadline.Value)
                {
                    throw;
                }

                lostEarlier = partly;
                Log.RequestResent(_logger, method);
                continue;
            }
            catch (Exception again) when (lostEarlier is not null && again is TimeoutException or GatewayConnectionException)
            {
                // A repeat that could not be written leaves the first write's outcome as it was: unknown.
                throw new GatewayConnectionException($"The '{method}' request's connection ended before its answer, and it could not be sent again ({again.Message}); its outcome is unknown.", lostEarlier.CloseStatus, lostEarlier.CloseDescription, again) { OutcomeUnknown = true };
            }

            answerDeadline ??= TimeProviderDelay.DeadlineAfter(_options.TimeProvider, timeout); // counted from the first write
            try
            {
                if (!await TimeProviderDelay.WaitUntilAsync(answer, _options.TimeProvider, answerDeadline.Value, cancellationToken).ConfigureAwait(false))
                {
                    throw new TimeoutException($"The gateway did not answer the '{method}' request within {timeout.TotalSeconds:0.###} s.");
                }

                var response = await answer.ConfigureAwait(false);
                if (!response.Ok)
                {
                    throw new GatewayRequestException(method, response.ErrorCode ?? "unknown", response.ErrorMessage ?? string.Empty, response.Error);
                }

                return response;
            }
            catch (GatewayConnectionException lost) when (lost.OutcomeUnknown && key is not null && _options.TimeProvider.GetUtcNow() < answerDeadline.Value && !cancellationToken.IsCancellationRequested)
            {
                // The gateway deduplicates by the key: the same frame goes out again on the next connection.
                lostEarlier = lost;
                Log.RequestResent(_logger, method);
            }
            finally
            {
                live.Requests.Forget(id);
            }
        }
    }

    /// <summary>
    /// Writes the request on a connection (<see cref="SendGate.WriteAsync"/>, registered there by its
    /// <paramref name="claim"/>) and returns that connection with the answer to wait for; bounded by
    /// <see cref="GatewayClientOptions.SendTimeout"/>, the token, and (a repeat) <paramref name="answerDeadline"/>.
    /// </summary>
    private async Task<(LiveConnection Live, Task<ResponseFrame> Answer)> WriteAsync(ReadOnlyMemory<byte> frame, RequestClaim claim, DateTimeOffset? answerDeadline, CancellationToken cancellationToken)
    {
        var sends = _state.Sends;
        var deadline = sends.SendDeadline();
        if (answerDeadline is { } latest && latest < deadline)
        {
            deadline = latest;
        }

        var live = await sends.WriteAsync(frame, deadline, claim, cancellationToken).ConfigureAwait(false);
        return (live, claim.Answer!);
    }

    /// <summary>A request's registration on the connection it is written on (the same one for each repeat).</summary>
    private sealed class RequestClaim(string id, Action<ResponseFrame>? inStream, Action<ResponseFrame>? onInterim, bool acceptedIsInterim) : IWriteClaim
    {
        /// <summary>The answer on the connection it was last claimed on.</summary>
        public Task<ResponseFrame>? Answer { get; private set; }

        public bool TryClaim(LiveConnection live) => (Answer = live.Requests.TryRegister(id, inStream, onInterim, acceptedIsInterim)) is not null;

        public void Release(LiveConnection live) => live.Requests.Forget(id);
    }
}
