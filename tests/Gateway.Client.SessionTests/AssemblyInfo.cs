using Gateway.Client.TestSupport;

// The real-server tests are skipped, with the reason, where their server cannot run (tests/Shared/Servers).
[assembly: TestFramework("Gateway.Client.TestSupport." + nameof(ServerTestFramework), "Gateway.Client.SessionTests")]
[assembly: SkipReportSubject("Session store server tests")]
