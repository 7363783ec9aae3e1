using System.Net.Http.Json;
using System.Text.Json;
using Dashboard.Host;

namespace Gateway.Client.BrowserTests;

/// <summary>
/// The host's side of the dashboard with a .NET client in place of the page: the relay carries a resume and a gap as a
/// direct connection would, the browser's tokens are short-lived and single-use, and the gateway's token never leaves.
/// </summary>
public sealed class DashboardRelayTests : IAsyncLifetime
{
    private readonly DashboardServer _server = new();
    private readonly HttpClient _http = new();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    public async Task InitializeAsync()
    {
        await _server.InitializeAsync();
        _http.BaseAddress = _server.Url;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        _timeout.Dispose();
    }

    [Fact]
    public async Task The_connection_answer_carries_a_fresh_token_and_never_the_gateways()
    {
        var first = await _http.GetStringAsync("api/connection", _timeout.Token);
        var second = await _http.GetStringAsync("api/connection", _timeout.Token);

        Assert.DoesNotContain(_server.Demo.Target.Token!, first, StringComparison.Ordinal);
        Assert.NotEqual(Token(first), Token(second));
        Assert.Equal("praisonai", JsonDocument.Parse(first).RootElement.GetProperty("dialect").GetString());
    }

    [Fact]
    public async Task A_browser_token_opens_one_connection_only()
    {
        var token = await BrowserTokenAsync();
        await using (var first = NewClient(_ => ValueTask.FromResult<string?>(token)))
        {
            await first.ConnectAsync(_timeout.Token);
            Assert.Equal(ConnectionState.Connected, first.State);
        }

        await using var reused = NewClient(_ => ValueTask.FromResult<string?>(token), maxAttempts: 1);
        await Assert.ThrowsAnyAsync<GatewayException>(() => reused.ConnectAsync(_timeout.Token));
    }

    [Fact]
    public async Task A_drop_through_the_relay_is_resumed_with_the_missed_events_replayed_once()
    {
        await using var client = NewClient(async ct => await BrowserTokenAsync());
        await client.ConnectAsync(_timeout.Token);
        await using var events = client.ReadEventsAsync(_timeout.Token).GetAsyncEnumerator(_timeout.Token);

        await Post("publish");
        var seen = await TakeAsync(events, 5);
        await Post("drop");
        seen.AddRange(await TakeAsync(events, DemoGateway.MissedOnDrop));

        Assert.Equal(Enumerable.Range(1, 5 + DemoGateway.MissedOnDrop).Select(i => (long?)i), seen.Select(e => e.Sequence));
        Assert.All(seen.Take(5), e => Assert.False(e.IsReplay));
        Assert.All(seen.Skip(5), e => Assert.True(e.IsReplay));
        Assert.Equal(1, client.Statistics.Reconnects);
    }

    [Fact]
    public async Task The_published_count_is_what_the_client_received()
    {
        await using var client = NewClient(async ct => await BrowserTokenAsync());
        await client.ConnectAsync(_timeout.Token);
        await using var events = client.ReadEventsAsync(_timeout.Token).GetAsyncEnumerator(_timeout.Token);
        Assert.Equal("0", await _http.GetStringAsync("api/demo/published", _timeout.Token));

        await Post("publish");
        await TakeAsync(events, 5);

        // The browser benchmark compares the page's count with this one.
        Assert.Equal("5", await _http.GetStringAsync("api/demo/published", _timeout.Token));
    }

    [Fact]
    public async Task A_gap_through_the_relay_is_reported_as_the_replay_window_exceeded()
    {
        var gapReported = new TaskCompletionSource<GapInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = NewClient(async ct => await BrowserTokenAsync());
        client.OnGap((gap, _) =>
        {
            gapReported.TrySetResult(gap);
            return Task.CompletedTask;
        });
        await client.ConnectAsync(_timeout.Token);
        await using var events = client.ReadEventsAsync(_timeout.Token).GetAsyncEnumerator(_timeout.Token);

        await Post("publish");
        await TakeAsync(events, 5);
        await Post("gap");
        var after = await TakeAsync(events, DemoGateway.KeptOnGap);
        var gap = await gapReported.Task.WaitAsync(_timeout.Token);

        Assert.Equal(GapReason.ReplayWindowExceeded, gap.Reason);
        Assert.Equal(6, gap.Expected);
        Assert.Equal(5 + DemoGateway.MissedOnGap - DemoGateway.KeptOnGap + 1, after[0].Sequence);
    }

    private GatewayClient NewClient(Func<CancellationToken, ValueTask<string?>> tokens, int? maxAttempts = null)
    {
        var url = new UriBuilder(_server.Url) { Scheme = "ws", Path = "/gateway" }.Uri;
        var options = new GatewayClientOptions
        {
            Url = url,
            AgentId = "dashboard",
            TokenProvider = tokens,
            Reconnect = { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(500) },
        };
        if (maxAttempts is { } attempts)
        {
            options.Reconnect.MaxAttempts = attempts;
        }

        return new GatewayClient(options);
    }

    private async Task<string> BrowserTokenAsync() => Token(await _http.GetStringAsync("api/connection", _timeout.Token));

    private static string Token(string answer) => JsonDocument.Parse(answer).RootElement.GetProperty("token").GetString()!;

    private async Task Post(string action)
    {
        using var response = await _http.PostAsync($"api/demo/{action}", content: null, _timeout.Token);
        response.EnsureSuccessStatusCode();
    }

    private async Task<List<GatewayEvent>> TakeAsync(IAsyncEnumerator<GatewayEvent> events, int count)
    {
        var taken = new List<GatewayEvent>();
        while (taken.Count < count)
        {
            Assert.True(await events.MoveNextAsync(), "The event stream ended early.");
            taken.Add(events.Current);
        }

        return taken;
    }
}
