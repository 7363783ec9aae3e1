// One real gateway at a time: each takes most of a core while it starts.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// Outside .ci/run's network namespace every test here is skipped: the run says why, once per reason.
[assembly: TestFramework("Gateway.Client.TestSupport." + nameof(ServerTestFramework), "Gateway.Client.InteropTests")]
[assembly: SkipReportSubject("Interop tests")]
