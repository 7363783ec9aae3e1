using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// The SignalR side of the peer run, in the server process: a hub that streams the blast server's events as typed
/// objects (<c>{"type":"message","seq":N,"cursor":N,"data":{"text":"xxx…"}}</c>, the same fields and size).
/// </summary>
internal sealed class BenchHub : Hub
{
    public const string Path = "/bench";

    public async IAsyncEnumerable<Event> Events(long count, int size, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The same padding as BlastServer's frames: the JSON of each item is about `size` bytes.
        var text = new string('x', Math.Max(1, size - 60));
        var data = new EventData(text);
        for (long seq = 1; seq <= count && !cancellationToken.IsCancellationRequested; seq++)
        {
            yield return new Event("message", seq, seq, data);
            if ((seq & 1023) == 0)
            {
                await Task.Yield();
            }
        }
    }

    /// <summary>Starts Kestrel on a free loopback port with the hub mapped; returns the port.</summary>
    public static async Task<(WebApplication App, int Port)> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Services.AddSignalR();
        var app = builder.Build();
        app.UseWebSockets();
        app.MapHub<BenchHub>(Path);
        await app.StartAsync();
        var address = new Uri(app.Urls.First());
        return (app, address.Port);
    }

    public sealed record Event(string Type, long Seq, long Cursor, EventData Data);

    public sealed record EventData(string Text);
}
