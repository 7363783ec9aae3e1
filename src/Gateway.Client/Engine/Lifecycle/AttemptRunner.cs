using System.Diagnostics;
using System.Net.WebSockets;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Engine;

/// <summary>
/// Makes one connection attempt: the token (from the app's provider, or one fetched to check whether it
/// changed), the socket, the handshake, in a <c>gateway.connect</c> span counted by outcome. Whether and when
/// another attempt follows is the <see cref="ReconnectLoop"/>'s to decide. Used by the run loop only.
/// </summary>
internal sealed class AttemptRunner
{
    private readonly GatewayClientOptions _options;
    private readonly IDialect _dialect;
    private readonly ILogger _logger;
    private readonly ClientTelemetry _telemetry;
    private readonly ClientCounters _counters;
    private readonly ServerNumbers _numbers;
    private readonly AttemptTokens _tokens;
    private Exception? _lastFailure;
    private bool _serverIsLegacy;
    private ActivityContext _spanParent;

    public AttemptRunner(GatewayClientOptions options, IDialect dialect, ClientCounters counters, ServerNumbers numbers, AttemptTokens tokens, ILogger logger)
    {
        _options = options;
        _dialect = dialect;
        _counters = counters;
        _telemetry = counters.Telemetry;
        _numbers = numbers;
        _tokens = tokens;
        _logger = logger;
    }

    /// <summary>A run begins: its first attempt joins <paramref name="trace"/> (the caller of ConnectAsync); later ones start their own.</summary>
    public void BeginRun(ActivityContext trace)
    {
        _spanParent = trace;
        Volatile.Write(ref _lastFailure, null);
    }

    /// <summary>Why the latest attempt failed, if it did: what a cancelled first connect reports as its cause.</summary>
    public Exception? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>
    /// One attempt to reach <paramref name="aim"/>, the <paramref name="number"/>-th in a row, as a
    /// <c>gateway.connect</c> span with the handshake inside, counted by outcome.
    /// </summary>
    public async ValueTask<Attempt> AttemptAsync(AttemptTarget aim, int number, CancellationToken cancellationToken)
    {
        var reconnect = aim.Reconnect;
        using var span = _telemetry.StartConnect(number, reconnect, _spanParent);
        _spanParent = default; // only the run's first attempt belongs to the caller's trace
        try
        {
            var attempt = await AttemptCoreAsync(aim, cancellationToken).ConfigureAwait(false);
            _counters.ConnectAttempted(reconnect, succeeded: true);
            if (span is not null)
            {
                span.SetTag("gateway.protocol.version", attempt.Result.Session.Protocol);
                span.SetTag("gateway.session.resumed", attempt.Result.Session.Resumed);
            }

            return attempt;
        }
        catch (Exception ex) when (AttemptFailed(span, reconnect, ex))
        {
            throw; // never reached: the filter records and declines
        }
    }

    private bool AttemptFailed(Activity? span, bool reconnect, Exception error)
    {
        if (error is OperationCanceledException)
        {
            span?.SetTag("gateway.connect.outcome", "cancelled");
            return false;
        }

        _counters.ConnectAttempted(reconnect, succeeded: false);
        Volatile.Write(ref _lastFailure, error);
        var code = (error as GatewayHandshakeException)?.Code;
        span?.SetStatus(ActivityStatusCode.Error, code ?? error.GetType().Name);
        span?.SetTag("error.type", code ?? error.GetType().FullName);
        return false;
    }

    private async ValueTask<Attempt> AttemptCoreAsync(AttemptTarget target, CancellationToken cancellationToken)
    {
        var token = await _tokens.ForAttemptAsync(cancellationToken).ConfigureAwait(false);

        Log.Connecting(_logger, UrlRedactor.Redact(_options.Url!));
        var connection = await Connection.OpenAsync(_options, _dialect, token, _telemetry, _numbers, cancellationToken).ConfigureAwait(false);
        var request = new HandshakeRequest
        {
            AgentId = _options.AgentId!,
            Protocol = _options.ProtocolRange,
            Capabilities = _options.AnnouncedCapabilities is { } announced ? (IReadOnlyList<string>)announced : _dialect.DefaultCapabilities,
            SessionId = target.SessionId,
            Since = target.Since,
            AllowLegacy = _options.AllowLegacyHandshake,
            PreferLegacy = _serverIsLegacy,
            Timeout = _options.HandshakeTimeout,
            TimeProvider = _options.TimeProvider,
            Numbers = _numbers,
            Token = token,
        };

        try
        {
            HandshakeResult result;
            using (var span = ClientTelemetry.StartHandshake())
            {
                try
                {
                    result = await _dialect.HandshakeAsync(connection, request, cancellationToken).ConfigureAwait(false);
                    span?.SetTag("gateway.handshake.legacy", result.Session.IsLegacyHandshake);
                }
                catch (GatewayHandshakeException refused)
                {
                    _telemetry.HandshakeFailed(refused.Code);
                    span?.SetStatus(ActivityStatusCode.Error, refused.Code);
                    span?.SetTag("error.type", refused.Code);
                    throw;
                }
            }

            if (result.Session.IsLegacyHandshake && !_serverIsLegacy)
            {
                Log.LegacyFallback(_logger, "no hello_ok; the server answered join");
                _serverIsLegacy = true;
            }

            return new Attempt(connection, result, request.Since, request.SessionId);
        }
        catch (GatewayHandshakeException ex)
        {
            Log.HandshakeRefused(_logger, ex.Code, ex.NextStep);

            // The contract leaves the socket open after hello_error: the client closes it.
            await connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "handshake failed").ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        catch (GatewayConnectionException tooLarge) when (ReconnectPolicy.IsOverReceiveLimit(tooLarge))
        {
            // Counted and logged as an oversized message after the handshake is (ConnectionDriver); the policy makes it terminal.
            _counters.OversizedMessage();
            Log.MessageTooLarge(_logger, _options.MaxReceiveMessageBytes);
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        catch (TimeoutException stuck)
        {
            // A handshake frame the gateway did not read within SendTimeout: a transport problem, worth a retry.
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new GatewayConnectionException("The handshake could not be sent: " + stuck.Message, innerException: stuck);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
