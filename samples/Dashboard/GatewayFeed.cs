using System.Text.Json;
using Microsoft.AspNetCore.Components;

namespace Dashboard;

/// <summary>
/// The page's one <see cref="GatewayClient"/>: connects through the host's relay with a short-lived token asked for on
/// every connect, reads the event stream across reconnects, and keeps what the page shows (state changes, the newest
/// events, the gaps in stream order). <see cref="Changed"/> tells the page to render.
/// </summary>
public sealed class GatewayFeed(HostApi host, NavigationManager navigation, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    /// <summary>Events kept on the page.</summary>
    public const int MaxEvents = 200;

    /// <summary>Gaps and state changes kept on the page.</summary>
    public const int MaxRows = 50;

    private readonly BoundedList<EventRow> _events = new(MaxEvents);
    private readonly BoundedList<GapRow> _gaps = new(MaxRows);
    private readonly BoundedList<StateRow> _states = new(MaxRows);
    private readonly CancellationTokenSource _stop = new();
    private GatewayClient? _client;
    private Task? _reading;
    private long _lastSequence;

    /// <summary>Raised after anything shown changed.</summary>
    public event Action? Changed;

    /// <summary>The connection state, or <see cref="ConnectionState.Disconnected"/> before the first connect.</summary>
    public ConnectionState State => _client?.State ?? ConnectionState.Disconnected;

    /// <summary>The state changes, newest first: each reconnect attempt is one with an attempt number.</summary>
    public IReadOnlyList<StateRow> States => _states.Snapshot();

    /// <summary>The newest events, newest first.</summary>
    public IReadOnlyList<EventRow> Events => _events.Snapshot();

    /// <summary>How many events arrived in all (the page keeps the newest <see cref="MaxEvents"/>).</summary>
    public long EventCount => _events.Added;

    /// <summary>The gaps, newest first.</summary>
    public IReadOnlyList<GapRow> Gaps => _gaps.Snapshot();

    /// <summary>Events whose sequence was not above the previous one: a duplicate reached the app (should stay 0).</summary>
    public long RepeatedSequences { get; private set; }

    /// <summary>The client's counters, or null before the first connect.</summary>
    public GatewayClientStatistics? Statistics => _client?.Statistics;

    /// <summary>Whether the host embeds the demo gateway (its fault buttons work).</summary>
    public bool Demo { get; private set; }

    /// <summary>Why the dashboard could not start, or null.</summary>
    public string? Error { get; private set; }

    /// <summary>Connects and starts reading; a failure is shown on the page (<see cref="Error"/>), not thrown.</summary>
    public async Task StartAsync()
    {
        if (_client is not null)
        {
            return;
        }

        try
        {
            var first = await host.GetConnectionAsync(_stop.Token);
            Demo = first.Demo;
            if (!ProtocolDialects.TryParse(first.Dialect, out var dialect))
            {
                throw new InvalidOperationException($"The host names an unknown dialect '{first.Dialect}'.");
            }

            var unused = first.Token;
            _client = new GatewayClient(
                new GatewayClientOptions
                {
                    Url = RelayUrl(first.Url),
                    Dialect = dialect,
                    AgentId = first.AgentId,
                    // The first token was just issued; every later connect asks the host for a new one (they are single-use).
                    TokenProvider = async ct => Interlocked.Exchange(ref unused, null) ?? (await host.GetConnectionAsync(ct)).Token,
                    Reconnect = { InitialDelay = TimeSpan.FromMilliseconds(250), MaxDelay = TimeSpan.FromSeconds(5) },
                },
                loggerFactory);
            _client.OnStateChanged((change, _) =>
            {
                _states.Add(StateRow.From(change));
                Changed?.Invoke();
                return Task.CompletedTask;
            });
            _client.OnGap((gap, _) =>
            {
                _gaps.Add(GapRow.From(gap));
                Changed?.Invoke();
                return Task.CompletedTask;
            });
            await _client.ConnectAsync(_stop.Token);
            _reading = ReadAsync(_client, _stop.Token);
        }
        catch (Exception e) when (!_stop.IsCancellationRequested)
        {
            Error = $"{e.GetType().Name}: {e.Message}";
            Changed?.Invoke();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_reading is not null)
        {
            await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    private async Task ReadAsync(GatewayClient client, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in client.ReadEventsAsync(cancellationToken))
            {
                if (e.Sequence is { } sequence)
                {
                    if (sequence <= _lastSequence)
                    {
                        RepeatedSequences++;
                    }

                    _lastSequence = Math.Max(_lastSequence, sequence);
                }

                _events.Add(new EventRow(e.Sequence, e.Type, e.IsReplay, TextOf(e)));
                Changed?.Invoke();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (GatewayException e)
        {
            Error = $"{e.GetType().Name}: {e.Message}";
            Changed?.Invoke();
        }
    }

    // The relay is on the page's own origin: http becomes ws, https becomes wss.
    private Uri RelayUrl(string relative)
    {
        var url = new UriBuilder(navigation.ToAbsoluteUri(relative));
        url.Scheme = url.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        return url.Uri;
    }

    private static string TextOf(GatewayEvent e) =>
        e.Data.ValueKind == JsonValueKind.Object && e.Data.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
            ? text.GetString() ?? string.Empty
            : e.Data.ValueKind == JsonValueKind.Undefined ? string.Empty : e.Data.GetRawText();
}
