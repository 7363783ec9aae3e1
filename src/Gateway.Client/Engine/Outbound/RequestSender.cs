using System.Text.Json;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
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

        if (_dialect.WhyNoRequests(session) is { } unsupported)
        {
            throw new NotSupportedException(unsupported);
        }

        var key = options.IdempotencyKey;
        if (key is not null && _dialect.WhyNoIdempotencyKey is { } noKey)
        {
            throw new NotSupportedException($"GatewayRequestOptions.IdempotencyKey cannot be used here: {noKey}.");
        }

        var id = "r" + Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var output = new PooledBufferWriter();
        _dialect.WriteRequest(output, id, method, parameters, key);
        var frame = output.WrittenMemory;

        // Interim answers arrive on the receive loop: the app's callback runs on the callback task.
        Action<ResponseFrame>? onInterim = options.OnAccepted is not { } onAccepted ? null : interim =>
        {
            if (interim.Result is { } payload)
            {
                _callbacks.Post(() => onAccepted(payload));
            }
        };

        var timeout = options.Timeout ?? _options.RequestTimeout;
        DateTimeOffset? answerDeadline = null;
        GatewayConnectionException? lostEarlier = null;
        while (true)
        {
            LiveConnection live;
            Task<ResponseFrame> answer;
            try
            {
                (live, answer) = await WriteAsync(method, id, frame, inStream, onInterim, options.ExpectFinal, answerDeadline, cancellationToken).ConfigureAwait(false);
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
    /// Writes the request on a connection and returns that connection with the answer to wait for. A connection
    /// found closing with nothing written is skipped for the next one; the whole of it is bounded by
    /// <see cref="GatewayClientOptions.SendTimeout"/>, the token, and (a repeat) <paramref name="answerDeadline"/>.
    /// </summary>
    private async Task<(LiveConnection Live, Task<ResponseFrame> Answer)> WriteAsync(string method, string id, ReadOnlyMemory<byte> frame, Action<ResponseFrame>? inStream, Action<ResponseFrame>? onInterim, bool acceptedIsInterim, DateTimeOffset? answerDeadline, CancellationToken cancellationToken)
    {
        var sends = _state.Sends;
        var deadline = sends.SendDeadline();
        if (answerDeadline is { } latest && latest < deadline)
        {
            deadline = latest;
        }

        LiveConnection? notWritten = null;
        while (true)
        {
            var live = await sends.NextAsync(deadline, notWritten, cancellationToken).ConfigureAwait(false);
            SendGate.CheckPayload(live, frame.Length);

            // Registered before the write: the answer may arrive before the write returns.
            if (live.Requests.TryRegister(id, inStream, onInterim, acceptedIsInterim) is not { } answer)
            {
                notWritten = live; // the connection has ended: nothing may be written on it
                continue;
            }

            try
            {
                await live.Socket.SendRequestAsync(frame, deadline, cancellationToken).ConfigureAwait(false);
                return (live, answer);
            }
            catch (ConnectionNotOpenException)
            {
                // Nothing was written: this request is not the old connection's, whatever its end does.
                live.Requests.Forget(id);
                notWritten = live;
            }
            catch (GatewayConnectionException broken) when (broken.OutcomeUnknown)
            {
                live.Requests.Forget(id); // given up part-way (SendTimeout): its outcome is unknown already
                throw;
            }
            catch (GatewayConnectionException broken)
            {
                live.Requests.Forget(id);
                throw new GatewayConnectionException(
                    $"The '{method}' request could not be written whole; it may or may not have reached the gateway, and is not sent again.",
                    broken.CloseStatus,
                    broken.CloseDescription,
                    broken) { OutcomeUnknown = true };
            }
            catch
            {
                live.Requests.Forget(id);
                throw;
            }
        }
    }
}
