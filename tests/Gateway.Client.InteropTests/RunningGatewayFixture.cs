namespace Gateway.Client.InteropTests;

/// <summary>Starts one real gateway for a test class and waits until a full handshake succeeds.</summary>
public sealed class RunningGatewayFixture : IAsyncLifetime
{
    public OpenClawGateway? Gateway { get; private set; }

    public async Task InitializeAsync()
    {
        if (!InteropEnvironment.Required && InteropEnvironment.WhyNot() is not null)
        {
            return; // every test is skipped with the reason
        }

        Gateway = OpenClawGateway.Create();
        Gateway.Start();
        await WaitUntilReadyAsync(Gateway);
    }

    public async Task DisposeAsync()
    {
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }
    }

    /// <summary>A client for the gateway, reconnecting quickly (the gateway restarts in seconds).</summary>
    public static GatewayClientOptions ClientOptions(OpenClawGateway gateway, string? token = null) => new()
    {
        Url = gateway.Url,
        Dialect = ProtocolDialect.OpenClaw,
        TokenProvider = _ => ValueTask.FromResult<string?>(token ?? gateway.Token),
        HandshakeTimeout = TimeSpan.FromSeconds(20),
        Reconnect = { InitialDelay = TimeSpan.FromMilliseconds(250), MaxDelay = TimeSpan.FromSeconds(1) },
    };

    /// <summary>
    /// Start-up takes 9–17 s here, first refusing the socket, then answering a retryable UNAVAILABLE:
    /// the client's own retry loop (a first connect that retries, as a service starting before its
    /// gateway would use) rides that out; ready means a full handshake.
    /// </summary>
    public static async Task WaitUntilReadyAsync(OpenClawGateway gateway)
    {
        var options = ClientOptions(gateway);
        options.Reconnect.RetryInitialConnect = true;
        await using var probe = new GatewayClient(options);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await probe.ConnectAsync(limit.Token);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"The OpenClaw gateway did not become ready: {ex.Message}\n{gateway.LogTail()}", ex);
        }
    }
}
