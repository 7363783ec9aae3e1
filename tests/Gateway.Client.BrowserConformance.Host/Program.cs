// Serves the browser conformance runner on http://127.0.0.1:5090; open /?scenario=resume-after-drop to watch one run.
using Gateway.Client.BrowserConformance.Host;

await using var app = ConformanceHost.Build(args);
await app.RunAsync();
