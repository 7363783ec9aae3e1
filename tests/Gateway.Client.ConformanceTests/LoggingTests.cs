using System.Text.RegularExpressions;
using Gateway.Client.Testing;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.ConformanceTests;

/// <summary>Logs a person can read: each line tells which client and session wrote it; refusals are said once, plainly; delays in whole milliseconds.</summary>
public class LoggingTests
{
    [Fact]
    public async Task Every_line_carries_a_scope_naming_the_client_and_its_session()
    {
        using var logs = new TestSupport.CapturingLoggerProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var orders = new GatewayClient(Harness.OptionsFor(gateway, o => o.Name = "orders"), logs);
        await using var billing = new GatewayClient(Harness.OptionsFor(gateway, o => o.Name = "billing"), logs);

        await orders.ConnectAsync(Harness.Deadline());
        await billing.ConnectAsync(Harness.Deadline());
        (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        await gateway.WaitForHandshakeAsync(3, Harness.Deadline());

        // The first client's connection ended: that line names it and its session.
        Assert.Contains(logs.Entries, e => e.EventId == 11 && e.Scopes.Contains($"GatewayClient orders session {orders.Session!.SessionId}"));
        Assert.DoesNotContain(logs.Entries, e => e.EventId == 11 && e.Scopes.Any(x => x.Contains("billing", StringComparison.Ordinal)));
        Assert.All(logs.Entries, e => Assert.Contains(e.Scopes, s => s.StartsWith("GatewayClient orders session", StringComparison.Ordinal) || s.StartsWith("GatewayClient billing session", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_refused_token_is_logged_once_as_an_error_without_a_stack_trace()
    {
        using var logs = new TestSupport.CapturingLoggerProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = "right", EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.TokenProvider = _ => ValueTask.FromResult<string?>("wrong")), logs);

        await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Harness.Deadline()));

        var refusal = Assert.Single(logs.Entries, e => e.EventId == 32);
        Assert.Equal(LogLevel.Error, refusal.Level);
        Assert.Null(refusal.Exception);
        Assert.DoesNotContain(logs.Entries, e => e.Exception is GatewayHandshakeException); // no Warning with the full trace first
        Assert.DoesNotContain("wrong", logs.AllText);
    }

    [Fact]
    public async Task Reconnect_delays_are_logged_in_whole_milliseconds()
    {
        using var logs = new TestSupport.CapturingLoggerProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(10.3);
            o.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(50);
        }), logs);
        var states = new StateRecorder(client);
        var retries = Harness.RetriesOf(client);
        await client.ConnectAsync(Harness.Deadline());

        // A reconnect attempt that fails: the next one is logged with its delay.
        gateway.RefuseUpgrades(503);
        (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        await retries.WaitForAsync(e => e.Cause is GatewayConnectionException { HttpStatusCode: not null });
        gateway.AcceptUpgrades();
        await states.WaitForAsync(ConnectionState.Connected, 2);

        var reconnecting = logs.Entries.First(e => e.EventId == 19);
        Assert.Matches(new Regex(@"in \d+ ms"), reconnecting.Message);
        Assert.DoesNotMatch(new Regex(@"in \d+\.\d+ ms"), reconnecting.Message);
    }
}
