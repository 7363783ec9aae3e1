using Gateway.Client.TestSupport;

// The fleet tests are skipped, with the reason, where their server cannot run (tests/Shared/Servers); CI requires them.
[assembly: TestFramework("Gateway.Client.TestSupport." + nameof(ServerTestFramework), "Gateway.Client.FleetTests")]
[assembly: SkipReportSubject("Fleet tests")]

// One fleet at a time: each runs five worker processes, and the machine may have two cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
