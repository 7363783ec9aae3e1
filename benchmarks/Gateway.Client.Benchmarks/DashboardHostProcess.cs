using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// The published dashboard host in a process of its own (as deployed, and off the benchmark's own CPU accounting), on
/// loopback HTTP and HTTPS at free ports, with its embedded gateway publishing <c>Dashboard:PublishRate</c> events per
/// second (0: none).
/// </summary>
internal sealed partial class DashboardHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http;

    private DashboardHostProcess(Process process, Uri http, Uri https)
    {
        _process = process;
        Http = http;
        Https = https;
        _http = new HttpClient { BaseAddress = http, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>The page over HTTP (Chromium asks for gzip).</summary>
    public Uri Http { get; }

    /// <summary>The page over HTTPS (Chromium asks for Brotli).</summary>
    public Uri Https { get; }

    public static async Task<DashboardHostProcess> StartAsync(PublishedDashboard published, int rate, (string Path, string Password) certificate)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            WorkingDirectory = published.Folder,
        };
        foreach (var arg in new[]
        {
            Path.Combine(published.Folder, "Dashboard.Host.dll"),
            "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0",
            "--Kestrel:Endpoints:Https:Url=https://127.0.0.1:0",
            "--Kestrel:Endpoints:Https:Certificate:Path=" + certificate.Path,
            "--Kestrel:Endpoints:Https:Certificate:Password=" + certificate.Password,
            "--Dashboard:PublishInterval=00:00:00",
            "--Dashboard:PublishRate=" + rate.ToString(CultureInfo.InvariantCulture),
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        Uri? http = null, https = null;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (http is null || https is null)
            {
                var line = await process.StandardOutput.ReadLineAsync(deadline.Token)
                    ?? throw new InvalidOperationException("The dashboard host exited before listening.");
                if (Listening().Match(line) is { Success: true } match)
                {
                    var url = new Uri(match.Groups[1].Value);
                    if (url.Scheme == Uri.UriSchemeHttps)
                    {
                        https = url;
                    }
                    else
                    {
                        http = url;
                    }
                }
            }
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }

        // Keep reading its output so that a chatty host never blocks on a full pipe.
        _ = process.StandardOutput.ReadToEndAsync();
        return new DashboardHostProcess(process, http, https);
    }

    /// <summary>What the embedded gateway has published so far.</summary>
    public async Task<long> PublishedAsync() =>
        long.Parse(await _http.GetStringAsync("/api/demo/published"), CultureInfo.InvariantCulture);

    /// <summary>The host's CPU time so far (its publisher and relay, for the load figures).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(deadline.Token);
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (\S+)")]
    private static partial Regex Listening();
}
