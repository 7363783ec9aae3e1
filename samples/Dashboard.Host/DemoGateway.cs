using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;

namespace Dashboard.Host;

/// <summary>
/// The embedded TestGateway the dashboard runs against when no real gateway is configured, with the faults its buttons
/// cause: a dropped connection (replayed on resume) and a gap (more missed than the gateway still holds).
/// </summary>
public sealed class DemoGateway : IAsyncDisposable
{
    /// <summary>How long the gateway holds the reconnect after a fault, so the page shows Reconnecting for a moment.</summary>
    public static readonly TimeSpan ReconnectPause = TimeSpan.FromMilliseconds(800);

    /// <summary>Events published while the client is away after a drop: all of them are replayed.</summary>
    public const int MissedOnDrop = 3;

    /// <summary>Events published while the client is away when opening a gap.</summary>
    public const int MissedOnGap = 6;

    /// <summary>Of those, how many the gateway still holds for replay: the older ones are the gap.</summary>
    public const int KeptOnGap = 2;

    private readonly TestGateway _gateway;
    private long _published;

    private DemoGateway(TestGateway gateway, string token)
    {
        _gateway = gateway;
        Target = new GatewayTarget(gateway.Url, token, "praisonai", "dashboard", TokenInHeader: false, Demo: true);
    }

    /// <summary>Where the relay connects, with the demo gateway's token (random per run, never sent to the browser).</summary>
    public GatewayTarget Target { get; }

    /// <summary>Events published so far, counted once per session they went to (the benchmark compares the page's count).</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>The gateway itself (tests look at its sessions and connections).</summary>
    public TestGateway Gateway => _gateway;

    /// <summary>Starts the gateway on a loopback port with a random token.</summary>
    public static async Task<DemoGateway> StartAsync()
    {
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = token });
        return new DemoGateway(gateway, token);
    }

    /// <summary>Publishes <paramref name="count"/> notifications to every session.</summary>
    public async Task PublishAsync(int count, string label)
    {
        foreach (var session in _gateway.Sessions)
        {
            for (var i = 0; i < count; i++)
            {
                var n = Interlocked.Increment(ref _published);
                await _gateway.PublishAsync(session.Id, "notification", new JsonObject { ["text"] = $"{label} {n}" }, EnvelopeShape.Flat);
            }
        }
    }

    /// <summary>Drops every open connection and publishes while the clients are away: they resume and get it replayed.</summary>
    public async Task DropAsync()
    {
        DropConnections();
        await PublishAsync(MissedOnDrop, "while away");
    }

    /// <summary>
    /// Drops every open connection, publishes <see cref="MissedOnGap"/> events while the clients are away and forgets all
    /// but the last <see cref="KeptOnGap"/>: on resume each client reports a ReplayWindowExceeded gap.
    /// </summary>
    public async Task OpenGapAsync()
    {
        DropConnections();
        await PublishAsync(MissedOnGap, "lost in the gap");
        foreach (var session in _gateway.Sessions)
        {
            _gateway.EvictHistory(session.Id, session.Head - KeptOnGap);
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _gateway.DisposeAsync();

    private void DropConnections()
    {
        foreach (var connection in _gateway.Handshakes)
        {
            if (connection.IsOpen)
            {
                _gateway.DelayNextHandshake(ReconnectPause);
                connection.Drop();
            }
        }
    }
}
