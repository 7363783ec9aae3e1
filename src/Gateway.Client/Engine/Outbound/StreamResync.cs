using System.Text.Json;
using Gateway.Client.Dialects;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.Engine;

/// <summary>
/// Re-bases the stream on the server's current state: with the dialect's <c>resync</c> request (the numbering is
/// re-based on the receive loop, exactly where the answer arrives in the stream), or, where the session has no
/// requests, with a fresh handshake of the same session (<see cref="FreshHandshakeResync"/>), whose head becomes
/// the cursor. Either way the consumer then skips what the snapshot covers.
/// </summary>
internal sealed class StreamResync
{
    private static readonly GatewayRequestOptions AnswerOnce = new();

    private readonly GatewayClientOptions _options;
    private readonly IDialect _dialect;
    private readonly ClientState _state;
    private readonly RequestSender _requests;
    private readonly InboundPipeline _pipeline;
    private readonly EventReader _reader;
    private readonly FreshHandshakeResync _fresh;

    public StreamResync(GatewayClientOptions options, IDialect dialect, ClientState state, RequestSender requests, InboundPipeline pipeline, EventReader reader, FreshHandshakeResync fresh)
    {
        _options = options;
        _dialect = dialect;
        _state = state;
        _requests = requests;
        _pipeline = pipeline;
        _reader = reader;
        _fresh = fresh;
    }

    public async Task<ResyncResult> ResyncAsync(CancellationToken cancellationToken)
    {
        var session = _state.Session ?? throw new GatewayConnectionException($"Cannot resync: the client is {_state.Current} and has no session.");
        if (_dialect is not IResync resync)
        {
            var entry = DialectCatalog.For(_options.Dialect);
            throw new InvalidOperationException($"The {entry.Name} dialect has no ResyncAsync: {entry.WithoutResync ?? "it cannot re-base the stream"}.");
        }

        var result = resync.ResyncsByRequest(session)
            ? await ByRequestAsync(cancellationToken).ConfigureAwait(false)
            : await ByFreshHandshakeAsync(cancellationToken).ConfigureAwait(false);
        _reader.ApplyResync(result.Sequence);
        return result;
    }

    private async Task<ResyncResult> ByRequestAsync(CancellationToken cancellationToken)
    {
        // Read once, on the receive loop where the answer arrives; the caller sees it after the request completes.
        ResyncResult? answered = null;
        await _requests.SendAsync("resync", null, answer =>
        {
            if (answer.Ok && Read(answer.Result) is { } rebase)
            {
                answered = rebase;
                _pipeline.Rebase(rebase.Sequence, rebase.Epoch);
            }
        }, AnswerOnce, cancellationToken).ConfigureAwait(false);

        return answered ?? throw new GatewayConnectionException("The gateway answered resync without an integer 'cursor'.");
    }

    /// <summary>Protocol 1: reconnect to the same session without <c>since</c>; completes once that fresh handshake succeeded.</summary>
    private Task<ResyncResult> ByFreshHandshakeAsync(CancellationToken cancellationToken)
    {
        var resync = _fresh.Join(out var started);
        if (started && _state.Live is { } live)
        {
            _ = PoliteClose.RetireAsync(live.Socket, "resync");
        }

        return resync.WaitAsync(cancellationToken);
    }

    private static ResyncResult? Read(JsonElement? result)
    {
        if (result is not { ValueKind: JsonValueKind.Object } value
            || !value.TryGetProperty("cursor", out var cursor) || cursor.ValueKind != JsonValueKind.Number || !cursor.TryGetInt64(out var at))
        {
            return null;
        }

        var epoch = value.TryGetProperty("epoch", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        JsonElement? snapshot = value.TryGetProperty("snapshot", out var s) && s.ValueKind == JsonValueKind.Object ? s.Clone() : null;
        return new ResyncResult(at, epoch, snapshot);
    }
}
