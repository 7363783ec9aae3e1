// The dashboard's browser half: Gateway.Client runs here, in WebAssembly, and connects through the host's relay
// (samples/Dashboard.Host) with a short-lived token the host issues; the gateway's own token stays on the host.
using Dashboard;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;

var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<App>("#app");
builder.RootComponents.Add<HeadOutlet>("head::after");
builder.Services.AddScoped(_ => new HttpClient { BaseAddress = new Uri(builder.HostEnvironment.BaseAddress) });
builder.Services.AddScoped<HostApi>();
builder.Services.AddScoped<GatewayFeed>();
await builder.Build().RunAsync();
