// The live dashboard: run it with `dotnet run --project samples/Dashboard.Host` and open the URL it prints.
// With no Gateway:Url it embeds a TestGateway; see README.md here for pointing it at a real gateway.
using Dashboard.Host;

var app = await DashboardHost.BuildAsync(args);
await app.RunAsync();
