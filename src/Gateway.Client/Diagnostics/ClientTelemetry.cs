using System.Diagnostics;
using Gateway.Client.Engine;

namespace Gateway.Client.Diagnostics;

/// <summary>
/// One client's measurements: every instrument is tagged with where the client connects
/// (<c>server.address</c>, <c>server.port</c>) and its name, never with the URL (the token may be in
/// its query). Each call is a no-op unless a listener enabled the instrument.
/// </summary>
internal sealed class ClientTelemetry
{
    private readonly TagList _tags;
    private readonly GatewayClientOptions _options;
    private readonly TimeProvider _clock;
    private readonly ClientInstruments _instruments;
    private long _lostAt;

    public ClientTelemetry(GatewayClientOptions options)
    {
        var url = options.Url!;
        _tags = new TagList
        {
            { "server.address", url.Host },
            { "server.port", url.Port },
        };
        if (options.Name is { } metricName)
        {
            _tags.Add("gateway.client.name", metricName);
        }

        _clock = options.TimeProvider;
        _options = options;
        _instruments = ClientInstruments.For(options.MeterFactory);
    }

    /// <summary>The tags every measurement of this client carries.</summary>
    public TagList Tags => _tags;

    /// <summary>The gauge of events waiting in each client's buffer, on this client's meter.</summary>
    public BufferDepthGauge BufferDepth => _instruments.BufferDepth;

    public void Created() => _instruments.Clients.Add(1, With("gateway.connection.state", StateName(ConnectionState.Disconnected)));

    public void Disposed(ConnectionState last) => _instruments.Clients.Add(-1, With("gateway.connection.state", StateName(last)));

    public void StateChanged(ConnectionState from, ConnectionState to)
    {
        _instruments.Clients.Add(-1, With("gateway.connection.state", StateName(from)));
        _instruments.Clients.Add(1, With("gateway.connection.state", StateName(to)));
        if (from == ConnectionState.Connected && to == ConnectionState.Reconnecting)
        {
            Volatile.Write(ref _lostAt, _clock.GetTimestamp());
        }
        else if (to == ConnectionState.Connected && Interlocked.Exchange(ref _lostAt, 0) is var lostAt and not 0)
        {
            _instruments.RecoveryDuration.Record(_clock.GetElapsedTime(lostAt).TotalSeconds, _tags);
        }
        else if (to is ConnectionState.Disconnected or ConnectionState.Failed)
        {
            Volatile.Write(ref _lostAt, 0);
        }
    }

    public void ConnectAttempt(bool reconnect, bool succeeded)
    {
        if (_instruments.ConnectAttempts.Enabled)
        {
            var tags = _tags;
            tags.Add("gateway.connect.kind", reconnect ? "reconnect" : "initial");
            tags.Add("gateway.connect.outcome", succeeded ? "success" : "failure");
            _instruments.ConnectAttempts.Add(1, tags);
        }
    }

    public void Reconnected() => _instruments.Reconnects.Add(1, _tags);

    public void HandshakeFailed(string code) => _instruments.HandshakeFailures.Add(1, With("error.type", code));

    public void EventReceived(bool replay)
    {
        if (_instruments.EventsReceived.Enabled)
        {
            _instruments.EventsReceived.Add(1, With("gateway.event.origin", replay ? "replay" : "live"));
        }
    }

    public void EventsDelivered(int count)
    {
        if (_instruments.EventsDelivered.Enabled)
        {
            _instruments.EventsDelivered.Add(count, _tags);
        }
    }

    public void DuplicateDropped() => _instruments.Duplicates.Add(1, _tags);

    public void EventDropped() => _instruments.EventsDropped.Add(1, _tags);

    public void FrameSkipped(string reason, long count = 1) => _instruments.FramesSkipped.Add(count, With("gateway.skip.reason", reason));

    public void Gap(GapReason reason, long? missing)
    {
        var tags = With("gateway.gap.reason", GapReasonName(reason));
        _instruments.Gaps.Add(1, tags);
        if (missing is > 0)
        {
            _instruments.GapMissingEvents.Add(missing.Value, tags);
        }
    }

    /// <summary>One more event in an overflow hole that is already reported.</summary>
    public void GapGrew(GapReason reason) => _instruments.GapMissingEvents.Add(1, With("gateway.gap.reason", GapReasonName(reason)));

    public void BytesReceived(int count)
    {
        if (_instruments.NetworkIo.Enabled)
        {
            _instruments.NetworkIo.Add(count, With("network.io.direction", "receive"));
        }
    }

    public void BytesSent(int count)
    {
        if (_instruments.NetworkIo.Enabled)
        {
            _instruments.NetworkIo.Add(count, With("network.io.direction", "transmit"));
        }
    }

    /// <summary>A span for one connection attempt (socket and handshake); null when nobody listens.</summary>
    public Activity? StartConnect(int attempt, bool reconnect, ActivityContext parent)
    {
        if (!GatewayClientTelemetry.Source.HasListeners())
        {
            return null;
        }

        var activity = GatewayClientTelemetry.Source.StartActivity("gateway.connect", ActivityKind.Client, parent, SpanTags());
        activity?.SetTag("gateway.connect.attempt", attempt);
        activity?.SetTag("gateway.connect.kind", reconnect ? "reconnect" : "initial");
        return activity;
    }

    /// <summary>The tags of a connect span: made per span (they are rare), so an idle client holds none.</summary>
    private KeyValuePair<string, object?>[] SpanTags()
    {
        var url = _options.Url!;
        var tags = new List<KeyValuePair<string, object?>>(5)
        {
            new("server.address", url.Host),
            new("server.port", url.Port),
            new("url.scheme", url.Scheme),
            new("gateway.protocol.dialect", Dialects.DialectCatalog.For(_options.Dialect).Name),
        };
        if (_options.Name is { } name)
        {
            tags.Add(new("gateway.client.name", name));
        }

        return tags.ToArray();
    }

    /// <summary>A span for the handshake inside a connect span.</summary>
    public static Activity? StartHandshake() => GatewayClientTelemetry.Source.StartActivity("gateway.handshake", ActivityKind.Client);

    public static string StateName(ConnectionState state) => state switch
    {
        ConnectionState.Disconnected => "disconnected",
        ConnectionState.Connecting => "connecting",
        ConnectionState.Connected => "connected",
        ConnectionState.Reconnecting => "reconnecting",
        ConnectionState.Failed => "failed",
        _ => state.ToString().ToLowerInvariant(),
    };

    public static string GapReasonName(GapReason reason) => reason switch
    {
        GapReason.SequenceJump => "sequence_jump",
        GapReason.ReplayWindowExceeded => "replay_window_exceeded",
        GapReason.SessionLost => "session_lost",
        GapReason.ServerReset => "server_reset",
        GapReason.ConsumerOverflow => "consumer_overflow",
        GapReason.ReplayUnsupported => "replay_unsupported",
        _ => reason.ToString().ToLowerInvariant(),
    };

    private TagList With(string key, object? value)
    {
        var tags = _tags;
        tags.Add(key, value);
        return tags;
    }
}
