using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>The token never leaks; refusals never turn into a storm of attempts.</summary>
public class SecretsAndRetryStormTests
{
    private const string Token = "s3cr3t-t0ken-9f8e7d";

    [Fact]
    public async Task The_token_never_appears_in_logs_exceptions_state_or_ToString_across_connect_reconnect_and_failure()
    {
        var logs = new CapturingLoggerProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = Token });
        var options = Harness.OptionsFor(gateway, o =>
        {
            Harness.ImmediateReconnect(o);
            o.TokenPlacement = TokenPlacement.Both;
        });
        await using var client = new GatewayClient(options, logs);
        var states = new StateRecorder(client);
        await client.ConnectAsync(Harness.Deadline());
        await gateway.PublishMessagesAsync(client.Session!.SessionId, "1");
        await client.ReadAsync(1, Harness.Deadline());

        // A reconnect, then a terminal failure (the server now wants another token).
        (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        await states.WaitForAsync(ConnectionState.Connected, 2);
        gateway.Options.Token = "another-token";
        (await gateway.WaitForHandshakeAsync(2, Harness.Deadline())).Drop();
        var failed = await states.WaitForAsync(ConnectionState.Failed);
        var readError = await Record.ExceptionAsync(() => client.ReadAsync(10, Harness.Deadline()));

        var everything = string.Join("\n",
            logs.AllText,
            string.Join("\n", states.Transitions.Select(t => t + " " + t.Cause)),
            failed.Cause,
            readError,
            client.ToString(),
            options.ToString(),
            client.Session?.SessionId);
        Assert.Contains("auth_unauthorized", everything); // the failure really happened and was logged
        Assert.True(logs.Entries.Count > 5);
        Assert.DoesNotContain(Token, everything);
        Assert.DoesNotContain(Uri.EscapeDataString(Token), everything);
    }

    [Fact]
    public async Task A_rate_limiting_server_gets_no_more_attempts_than_the_backoff_allows()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync();
        for (var i = 0; i < 100; i++)
        {
            gateway.RejectNextHandshake(new HandshakeRejection("rate_limited", "slow down", RetryAfterSeconds: 10));
        }

        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.TimeProvider = clock;
            o.Reconnect.InitialDelay = TimeSpan.FromSeconds(1);
            o.Reconnect.MaxDelay = TimeSpan.FromSeconds(30);
            o.Random = () => 0.5;
            o.Reconnect.RetryInitialConnect = true;
        }));
        var retries = Harness.RetriesOf(client);
        _ = client.ConnectAsync(Harness.Deadline());

        // Follow the client for one simulated minute, one scheduled delay at a time.
        var elapsed = TimeSpan.Zero;
        for (var retry = 1; ; retry++)
        {
            var waiting = await retries.WaitForAsync(_ => true, retry);
            var delay = waiting.RetryDelay!.Value;
            Assert.True(delay >= TimeSpan.FromSeconds(10), $"retry {retry} after {delay}: below the retry-after floor");
            if (elapsed + delay > TimeSpan.FromMinutes(1))
            {
                break;
            }

            await clock.WaitForTimerAsync(delay, Harness.Deadline());
            clock.Advance(delay);
            elapsed += delay;
        }

        // The floor (10 s) and the backoff (bases 1, 2, 4, 8, 16, 30 s) allow the first attempt plus at
        // most one every 10 s in a minute.
        Assert.InRange(gateway.Connections.Count, 2, 7);
    }
}
