using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>Small helpers shared by the conformance tests.</summary>
internal static class Harness
{
    /// <summary>A safety net so a broken behaviour fails the test instead of hanging it; never a wait.</summary>
    public static CancellationToken Deadline(int seconds = 20) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    /// <summary>A whole-number setting from the environment (soak and race sizes), or <paramref name="fallback"/>.</summary>
    public static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : fallback;

    public static GatewayClientOptions OptionsFor(TestGateway gateway, Action<GatewayClientOptions>? configure = null)
    {
        var options = new GatewayClientOptions
        {
            Url = gateway.Url,
            AgentId = "support",
            TokenProvider = gateway.Options.Token is { } token ? _ => ValueTask.FromResult<string?>(token) : null,
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>One attempt and no reconnection: the behaviour of a single connection, seen in isolation.</summary>
    public static void SingleAttempt(GatewayClientOptions options)
    {
        options.Reconnect.Enabled = false;
    }

    /// <summary>
    /// Reconnects at once (no delay, pinned randomness), so chaos tests are deterministic without
    /// waiting on real time; backoff timing itself is tested on a fake clock.
    /// </summary>
    public static void ImmediateReconnect(GatewayClientOptions options)
    {
        options.Reconnect.InitialDelay = TimeSpan.Zero;
        options.Reconnect.MaxDelay = TimeSpan.Zero;
        options.Random = () => 0;
    }

    /// <summary>
    /// Records every retry <paramref name="client"/> schedules (the client's internal report, in order with its state
    /// notifications): the app hears only of the first of an outage, as the transition into Reconnecting, while these
    /// tests follow each attempt's number, delay and cause.
    /// </summary>
    public static StateRecorder RetriesOf(GatewayClient client) => new(record => client.RetryScheduled += record);

    /// <summary>Reads exactly <paramref name="count"/> events, then stops enumerating (a later call continues the stream).</summary>
    public static async Task<List<GatewayEvent>> ReadAsync(this GatewayClient client, int count, CancellationToken cancellationToken)
    {
        var events = new List<GatewayEvent>(count);
        if (count == 0)
        {
            return events;
        }

        await foreach (var e in client.ReadEventsAsync(cancellationToken))
        {
            events.Add(e);
            if (events.Count == count)
            {
                break;
            }
        }

        return events;
    }

    /// <summary>Reads until an event matches (inclusive).</summary>
    public static async Task<List<GatewayEvent>> ReadUntilAsync(this GatewayClient client, Func<GatewayEvent, bool> last, CancellationToken cancellationToken)
    {
        var events = new List<GatewayEvent>();
        await foreach (var e in client.ReadEventsAsync(cancellationToken))
        {
            events.Add(e);
            if (last(e))
            {
                break;
            }
        }

        return events;
    }

    public static bool IsFinalResponse(GatewayEvent e) =>
        e.Type == "response" && e.Frame.TryGetProperty("status", out var status) && status.GetString() == "final";

    public static System.Text.Json.Nodes.JsonObject Data(string key, string value) => new() { [key] = value };

    /// <summary>Publishes flat <c>message</c> events numbered by the gateway, one per label.</summary>
    public static async Task PublishMessagesAsync(this TestGateway gateway, string sessionId, params string[] labels)
    {
        foreach (var label in labels)
        {
            await gateway.PublishAsync(sessionId, "message", Data("n", label), EnvelopeShape.Flat);
        }
    }

    /// <summary>Sends flat <c>message</c> events numbered <paramref name="from"/> to <paramref name="to"/> straight on the connection.</summary>
    public static async Task SendNumberedAsync(this TestConnection connection, int from, int to)
    {
        for (var seq = from; seq <= to; seq++)
        {
            await connection.SendTextAsync($$"""{"type":"message","seq":{{seq}}}""");
        }
    }

    /// <summary>
    /// Returns once the client's receive loop has read everything sent on <paramref name="connection"/> so far: a ping sent
    /// after it is answered only then. The pongs already received answered earlier pings, so it waits for the next one
    /// (the gateway's own heartbeat pings must be off for the answer to be this ping's).
    /// </summary>
    public static async Task WaitUntilReadAsync(this TestConnection connection)
    {
        var earlier = connection.ReceivedFrames.Count(IsPong);
        await connection.SendTextAsync("""{"type":"ping"}""");
        var pongs = 0;
        await connection.WaitForFrameAsync(f => IsPong(f) && ++pongs > earlier, Deadline());
    }

    private static bool IsPong(System.Text.Json.JsonElement frame) =>
        frame.ValueKind == System.Text.Json.JsonValueKind.Object && frame.TryGetProperty("type", out var type)
        && type.ValueKind == System.Text.Json.JsonValueKind.String && type.ValueEquals("pong");

    /// <summary>Never completes by itself: ends (as cancelled) only when <paramref name="cancellationToken"/> fires.</summary>
    public static Task UntilCancelledAsync(CancellationToken cancellationToken) =>
        new TaskCompletionSource().Task.WaitAsync(cancellationToken);

    /// <summary>Registers a request method that never answers (until the gateway stops).</summary>
    public static void RegisterSilentMethod(this TestGateway gateway, string name) =>
        gateway.RegisterMethod(name, async (_, ct) =>
        {
            await Harness.UntilCancelledAsync(ct);
            return null;
        });
}
