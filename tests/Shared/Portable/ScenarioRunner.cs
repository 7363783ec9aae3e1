using Gateway.Client.TestSupport;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Portable;

/// <summary>
/// Runs one <see cref="PortableScenario"/>: starts its gateway (however the runtime reaches one), connects a client to it
/// the way an app would, logs gaps into the transcript as OnGap reports them, and runs the scenario.
/// </summary>
internal static class ScenarioRunner
{
    /// <summary>How long a whole scenario may take before it counts as hung.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>The client's options for a gateway: short real-time reconnect delays (the gateway may be in another process).</summary>
    public static GatewayClientOptions OptionsFor(IScenarioGateway gateway)
    {
        var token = gateway.Token;
        var options = new GatewayClientOptions
        {
            Url = gateway.Url,
            AgentId = "support",
            TokenProvider = _ => ValueTask.FromResult<string?>(token),
        };
        options.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(20);
        options.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(200);
        return options;
    }

    /// <summary>Runs <paramref name="scenario"/> against a gateway from <paramref name="startGateway"/>; never throws for the scenario's own failure.</summary>
    public static async Task<ScenarioOutcome> RunAsync(
        PortableScenario scenario,
        Func<ScenarioGatewaySetup, CancellationToken, Task<IScenarioGateway>> startGateway,
        ILoggerFactory? logs = null,
        CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Limit);
        var transcript = new List<string>();
        try
        {
            await using var gateway = await startGateway(scenario.Setup, deadline.Token);
            var options = OptionsFor(gateway);
            scenario.Configure?.Invoke(options);
            await using var client = new GatewayClient(options, logs);
            var states = new StateRecorder(client);
            client.OnGap((gap, _) =>
            {
                lock (transcript)
                {
                    transcript.Add($"gap {gap.Reason} {gap.Expected}->{gap.Received?.ToString() ?? "?"}");
                }

                return Task.CompletedTask;
            });
            await client.ConnectAsync(deadline.Token);

            // Created after the connect, so its state changes are the scenario's own.
            var context = new ScenarioContext(gateway, client, states, transcript, deadline.Token);
            await scenario.RunAsync(context);
            return new ScenarioOutcome(scenario.Name, Snapshot(transcript), null);
        }
        catch (Exception e)
        {
            var why = deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                ? $"The scenario did not finish within {Limit.TotalSeconds:0} s: {e}"
                : e.ToString();
            return new ScenarioOutcome(scenario.Name, Snapshot(transcript), why);
        }
    }

    private static string[] Snapshot(List<string> transcript)
    {
        lock (transcript)
        {
            return transcript.ToArray();
        }
    }
}
