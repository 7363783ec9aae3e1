// Tests of a class marked [RequiresServer(typeof(Chromium))] are reported skipped, with the reason, where Chromium is missing.
[assembly: Xunit.TestFramework("Gateway.Client.TestSupport.ServerTestFramework", "Gateway.Client.BrowserTests")]
[assembly: Gateway.Client.TestSupport.SkipReportSubject("Browser tests")]
