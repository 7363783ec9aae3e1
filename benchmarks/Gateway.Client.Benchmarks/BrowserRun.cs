using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// Issue 28: the dashboard sample (samples/Dashboard) in headless Chromium, published and served as deployed: what a
/// first load downloads (compressed, as Chromium received it and as the publish output stores it), the time from
/// navigation start to the first event shown over cold loads, and the page's frame rate while the embedded gateway
/// publishes at a given rate. Chromium is the machine's (GATEWAY_CHROMIUM, else /usr/bin/chromium), driven by Playwright.
/// </summary>
internal static class BrowserRun
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static async Task RunAsync(string? publishedFolder, int loads, int loadRate, int[] rates, int frameSeconds, int settleSeconds)
    {
        var chromium = Environment.GetEnvironmentVariable("GATEWAY_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException($"Chromium is not at {chromium} (apt-get install -y chromium, or set GATEWAY_CHROMIUM).");
        }

        var work = Directory.CreateTempSubdirectory("gateway-browser-bench-");
        try
        {
            Log($"load before: {Load()}; {Environment.ProcessorCount} cores");
            var published = publishedFolder is not null
                ? new PublishedDashboard(publishedFolder)
                : await PublishAsync(Path.Combine(work.FullName, "publish"));
            var certificate = LoopbackCertificate.Write(work.FullName);

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = chromium,
                Headless = true,
                Timeout = 30_000,
                // As the browser tests: root in containers refuses the sandbox; no GPU here (software compositing).
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--ignore-certificate-errors"],
            });
            Log($"{browser.BrowserType.Name} {browser.Version}");

            await using (var host = await DashboardHostProcess.StartAsync(published, loadRate, certificate))
            {
                await ColdLoadsAsync(browser, host, published, loads, loadRate);
            }

            foreach (var rate in rates)
            {
                await using var host = await DashboardHostProcess.StartAsync(published, rate, certificate);
                await FramesAsync(browser, host, rate, frameSeconds, settleSeconds);
            }

            Log($"load after: {Load()}");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<PublishedDashboard> PublishAsync(string output)
    {
        Log("publishing samples/Dashboard.Host -c Release ...");
        var started = Clock.Elapsed;
        var published = await PublishedDashboard.PublishAsync(output);
        Log($"published in {(Clock.Elapsed - started).TotalSeconds:0} s");
        return published;
    }

    // Each load in a new browser context (empty HTTP cache and storage), HTTP and HTTPS alternately, after one unmeasured
    // load of each (the host's JIT and the browser's own start-up).
    private static async Task ColdLoadsAsync(IBrowser browser, DashboardHostProcess host, PublishedDashboard published, int loads, int rate)
    {
        Console.WriteLine();
        Console.WriteLine($"## Cold loads ({loads} of each, the gateway publishing {rate}/s)");
        // HTTPS as deployed (Chromium asks for br, gzip, deflate, zstd), and HTTP asking for gzip only.
        var variants = new (string Name, Uri Url, bool GzipOnly)[] { ("https", host.Https, false), ("http, gzip only", host.Http, true) };
        var times = variants.ToDictionary(v => v.Name, _ => new List<Milestones>());
        var downloads = new Dictionary<string, Download>();
        for (var i = -1; i < loads; i++)
        {
            foreach (var (name, url, gzipOnly) in variants)
            {
                var (milestones, download) = await LoadOnceAsync(browser, url, gzipOnly);
                if (i >= 0)
                {
                    times[name].Add(milestones);
                    downloads.TryAdd(name, download);
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine("| load | requests | on the wire (headers too) | bodies as sent | bodies decoded | encodings (files) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | --- |");
        foreach (var (scheme, d) in downloads)
        {
            Console.WriteLine(Invariant($"| {scheme} | {d.Requests} | {Kib(d.Transfer)} | {Kib(d.Encoded)} | {Kib(d.Decoded)} | {string.Join(", ", d.Encodings.OrderByDescending(e => e.Value).Select(e => $"{e.Key} {e.Value}"))} |"));
        }

        // The same files as the publish output stores them: what a server without compression, or with only gzip, sends.
        var paths = downloads["https"].Paths;
        long raw = 0, best = 0, gzip = 0;
        var missing = new List<string>();
        foreach (var path in paths)
        {
            if (published.SizeOf(path) is { } size)
            {
                raw += size.Raw;
                best += size.Brotli ?? size.Gzip ?? size.Raw;
                gzip += size.Gzip ?? size.Raw;
            }
            else
            {
                missing.Add(path);
            }
        }

        Console.WriteLine();
        Console.WriteLine(Invariant($"publish output, the {paths.Count - missing.Count} files a first load fetches: raw {Kib(raw)}, gzip {Kib(gzip)}, Brotli (else gzip, else raw) {Kib(best)}"));
        if (missing.Count > 0)
        {
            Console.WriteLine("not files of the publish output (generated by the host): " + string.Join(", ", missing));
        }

        Console.WriteLine();
        Console.WriteLine("| load | app rendered, median (p95) | Connected shown | first event shown | first event, min–max |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var (scheme, runs) in times)
        {
            string Of(Func<Milestones, double> pick) => Invariant($"{Stats.Median(runs.Select(pick)):N0} ms ({Percentile(runs.Select(pick), 0.95):N0})");
            Console.WriteLine(Invariant($"| {scheme} | {Of(m => m.Rendered)} | {Of(m => m.Connected)} | {Of(m => m.FirstEvent)} | {runs.Min(m => m.FirstEvent):N0}–{runs.Max(m => m.FirstEvent):N0} ms |"));
        }
    }

    private static async Task<(Milestones, Download)> LoadOnceAsync(IBrowser browser, Uri url, bool gzipOnly)
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        await context.AddInitScriptAsync(DashboardProbes.Milestones);
        if (gzipOnly)
        {
            // A browser or proxy without Brotli: what the host's .gz files give.
            await context.SetExtraHTTPHeadersAsync([new KeyValuePair<string, string>("Accept-Encoding", "gzip")]);
        }

        var encodings = new Dictionary<string, int>();
        context.Response += (_, response) =>
        {
            var responseUrl = new Uri(response.Url);
            if (IsAppFile(responseUrl))
            {
                var encoding = response.Headers.TryGetValue("content-encoding", out var value) ? value : "none " + responseUrl.AbsolutePath;
                lock (encodings)
                {
                    encodings[encoding] = encodings.GetValueOrDefault(encoding) + 1;
                }
            }
        };
        var page = await context.NewPageAsync();
        await page.GotoAsync(url.ToString(), new PageGotoOptions { Timeout = 60_000 });
        await page.WaitForFunctionAsync(DashboardProbes.FirstEventShown, null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        var marks = await page.EvaluateAsync<JsonElement>(DashboardProbes.Marks);
        var milestones = new Milestones(marks.GetProperty("rendered").GetDouble(), marks.GetProperty("connected").GetDouble(), marks.GetProperty("firstEvent").GetDouble());

        var entries = (await page.EvaluateAsync<JsonElement>(DashboardProbes.Downloads)).EnumerateArray()
            .Select(e => (Url: new Uri(e.GetProperty("url").GetString()!), Transfer: e.GetProperty("transfer").GetInt64(), Encoded: e.GetProperty("encoded").GetInt64(), Decoded: e.GetProperty("decoded").GetInt64()))
            .Where(e => IsAppFile(e.Url))
            .ToList();
        Dictionary<string, int> seen;
        lock (encodings)
        {
            seen = new Dictionary<string, int>(encodings);
        }

        var download = new Download(entries.Count, entries.Sum(e => e.Transfer), entries.Sum(e => e.Encoded), entries.Sum(e => e.Decoded), seen, entries.Select(e => e.Url.AbsolutePath).ToList());
        Log(Invariant($"{url.Scheme}{(gzipOnly ? " gzip" : string.Empty)} load: rendered {milestones.Rendered:N0} ms, connected {milestones.Connected:N0} ms, first event {milestones.FirstEvent:N0} ms, {Kib(download.Encoded)} in {download.Requests} requests"));
        return (milestones, download);
    }

    private static async Task FramesAsync(IBrowser browser, DashboardHostProcess host, int rate, int seconds, int settleSeconds)
    {
        Console.WriteLine();
        Console.WriteLine($"## Frames at {rate} events/s ({seconds} s window after {settleSeconds} s connected)");
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        await context.AddInitScriptAsync(DashboardProbes.Milestones);
        var page = await context.NewPageAsync();
        var errors = 0;
        page.Console += (_, message) => errors += message.Type == "error" ? 1 : 0;
        page.PageError += (_, _) => errors++;
        await page.GotoAsync(host.Http.ToString(), new PageGotoOptions { Timeout = 60_000 });
        await page.WaitForFunctionAsync(rate > 0 ? DashboardProbes.FirstEventShown : DashboardProbes.ConnectedShown, null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        await Task.Delay(TimeSpan.FromSeconds(settleSeconds));

        var load = Load();
        var publishedBefore = await host.PublishedAsync();
        var shownBefore = await ShownAsync(page);
        var hostCpuBefore = host.CpuTime;
        var frames = await page.EvaluateAsync<JsonElement>(DashboardProbes.Frames, seconds * 1000);
        var shownAfter = await ShownAsync(page);
        var publishedAfter = await host.PublishedAsync();
        var hostCpu = host.CpuTime - hostCpuBefore;

        var elapsed = frames.GetProperty("elapsed").GetDouble() / 1000;
        var gaps = frames.GetProperty("gaps").EnumerateArray().Select(g => g.GetDouble()).ToList();
        var longTasks = frames.GetProperty("longTasks").EnumerateArray().Select(t => t.GetDouble()).ToList();
        Console.WriteLine();
        Console.WriteLine(Invariant($"load average at the window's start: {load}"));
        Console.WriteLine(Invariant($"frames: {gaps.Count / elapsed:0.0} fps over {elapsed:0.0} s; gap between frames median {Stats.Median(gaps):0.0} ms, p99 {Percentile(gaps, 0.99):0.0} ms, longest {gaps.Max():0.0} ms; {gaps.Count(g => g > 50)} gaps over 50 ms"));
        Console.WriteLine(Invariant($"main thread: {longTasks.Count} long tasks (over 50 ms), {longTasks.Sum():N0} ms in them ({longTasks.Sum() / 10 / elapsed:0.0} % of the window)"));
        Console.WriteLine(Invariant($"events: published {(publishedAfter - publishedBefore) / elapsed:N0}/s, shown {(shownAfter.Shown - shownBefore.Shown) / elapsed:N0}/s; at the end published {publishedAfter:N0}, shown {shownAfter.Shown:N0} (newest #{shownAfter.Newest:N0}), behind by {publishedAfter - shownAfter.Shown:N0}"));
        Console.WriteLine(Invariant($"client: received {shownAfter.Received:N0}, delivered {shownAfter.Delivered:N0}, in its buffer {shownAfter.Received - shownAfter.Delivered:N0} (capacity 1,024), dropped {shownAfter.Dropped:N0}; repeated sequences {shownAfter.Repeated}; console errors {errors}"));
        Console.WriteLine(Invariant($"host process CPU (gateway, publisher, relay): {hostCpu.TotalMilliseconds / 10 / elapsed:0} % of one core"));
    }

    private static async Task<PageCounts> ShownAsync(IPage page)
    {
        var shown = await page.EvaluateAsync<JsonElement>(DashboardProbes.Shown);
        long Of(string name) => (long)shown.GetProperty(name).GetDouble();
        return new PageCounts(Of("shown"), Of("newest"), Of("received"), Of("delivered"), Of("dropped"), Of("repeated"));
    }

    // The app's own files: not the host's API answers, not the WebSocket.
    private static bool IsAppFile(Uri url) => !url.AbsolutePath.StartsWith("/api/", StringComparison.Ordinal) && url.AbsolutePath != "/gateway";

    private static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(p * sorted.Length) - 1)];
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string Kib(long bytes) => Invariant($"{bytes / 1024.0:N0} KiB");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void Log(string message) => Console.WriteLine(Invariant($"[{Clock.Elapsed.TotalSeconds,6:0.0} s] {message}"));

    private sealed record Milestones(double Rendered, double Connected, double FirstEvent);

    private sealed record Download(int Requests, long Transfer, long Encoded, long Decoded, Dictionary<string, int> Encodings, List<string> Paths);

    private sealed record PageCounts(long Shown, long Newest, long Received, long Delivered, long Dropped, long Repeated);
}
