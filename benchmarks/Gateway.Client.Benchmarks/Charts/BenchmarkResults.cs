namespace Gateway.Client.Benchmarks.Charts;

/// <summary>
/// The <c>throughput</c> mode's results: what its printed table shows, per client, with the run's date, machine and
/// load. Written to <c>benchmarks/results/throughput.json</c>; the throughput chart is drawn from it.
/// </summary>
internal sealed record ThroughputResults(RunContext Run, long Events, int Rounds, int Size, IReadOnlyList<ThroughputClient> Clients);

/// <summary>One client of a throughput run: medians over the rounds, with the events/s range.</summary>
/// <param name="Kind">The client's kind on the command line (<c>raw</c>, <c>gateway</c>, ...).</param>
/// <param name="Label">What the client is, in words.</param>
/// <param name="RatioToRaw">Its median events/s over the raw loop's of the same run; null without the raw loop.</param>
internal sealed record ThroughputClient(
    string Kind,
    string Label,
    double EventsPerSecond,
    double EventsPerSecondMin,
    double EventsPerSecondMax,
    double? RatioToRaw,
    double CpuMicrosecondsPerEvent,
    double AllocatedBytesPerEvent,
    double Gen0PerRun,
    double Gen1PerRun,
    double Gen2PerRun,
    double PeakWorkingSetBytes);

/// <summary>The <c>paced</c> mode's results: per rate, thread-pool setting and client, the latency and CPU it printed.</summary>
internal sealed record PacedResults(RunContext Run, int Seconds, int Rounds, IReadOnlyList<PacedClient> Clients);

/// <summary>One client at one paced rate: medians over the rounds, with the ranges the table shows.</summary>
/// <param name="ThreadPoolSpinning">False when the run turned the thread pool's spinning off (its own cost shows).</param>
/// <param name="LatencyP50Us">From the server's stamp to the loop body, in microseconds, as are the others.</param>
internal sealed record PacedClient(
    string Kind,
    string Label,
    int Rate,
    bool ThreadPoolSpinning,
    double CpuMicrosecondsPerEvent,
    double CpuMicrosecondsPerEventMin,
    double CpuMicrosecondsPerEventMax,
    double WorkItemsPerEvent,
    double LatencyP50Us,
    double LatencyP99Us,
    double LatencyP99UsMin,
    double LatencyP99UsMax,
    double LatencyMaxUs,
    double AllocatedBytesPerEvent);

/// <summary>The <c>scale</c> mode's results: the footprint of many idle clients per kind, then one client at a steady rate.</summary>
internal sealed record ScaleResults(RunContext Run, int Clients, int IdleSeconds, IReadOnlyList<IdleClient> Idle, SteadyRate Steady);

/// <summary>
/// What <see cref="ScaleResults.Clients"/> idle connections of one kind cost, measured from the same settled baseline.
/// </summary>
/// <param name="IdleCpuMilliseconds">The whole process's CPU over <see cref="ScaleResults.IdleSeconds"/> of idling.</param>
internal sealed record IdleClient(
    string Kind,
    string Label,
    double HeapBytesPerClient,
    double WorkingSetBytesPerClient,
    double IdleCpuMilliseconds,
    int ThreadsBefore,
    int ThreadsAfter)
{
    /// <summary>Idle CPU per client, in microseconds per second of idling.</summary>
    public double IdleCpuMicrosecondsPerClientPerSecond(int clients, int idleSeconds) =>
        IdleCpuMilliseconds * 1000 / Math.Max(1, clients) / Math.Max(1, idleSeconds);
}

/// <summary>One <c>GatewayClient</c> at a steady paced rate: its CPU and allocation per event.</summary>
internal sealed record SteadyRate(int Rate, int Seconds, double EventsPerSecond, double CpuMicrosecondsPerEvent, double AllocatedBytesPerEvent);
