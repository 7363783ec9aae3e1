using System.Diagnostics;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// The dashboard sample as a user deploys it: <c>dotnet publish -c Release</c> of samples/Dashboard.Host (the
/// WebAssembly app lands in its wwwroot, with .br and .gz beside each file), and the size of what a URL serves.
/// </summary>
internal sealed class PublishedDashboard(string folder)
{
    /// <summary>The publish output (Dashboard.Host.dll, wwwroot).</summary>
    public string Folder { get; } = folder;

    /// <summary>Publishes into <paramref name="output"/> (about a minute and a half on 2 cores: the IL trimmer and Brotli).</summary>
    public static async Task<PublishedDashboard> PublishAsync(string output)
    {
        var project = Path.Combine(RepositoryRoot(), "samples", "Dashboard.Host");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var arg in new[] { "publish", project, "-c", "Release", "-o", output, "--nologo", "-v", "quiet" })
        {
            start.ArgumentList.Add(arg);
        }

        using var publish = Process.Start(start)!;
        var log = await publish.StandardOutput.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await publish.WaitForExitAsync(deadline.Token);
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed ({publish.ExitCode}):\n{log}");
        }

        return new PublishedDashboard(output);
    }

    /// <summary>The bytes a served path is stored as: raw, Brotli and gzip (null where there is no such file).</summary>
    public (long Raw, long? Brotli, long? Gzip)? SizeOf(string urlPath)
    {
        var relative = Uri.UnescapeDataString(urlPath.TrimStart('/'));
        var file = Path.Combine(Folder, "wwwroot", relative.Length == 0 ? "index.html" : relative);
        if (!File.Exists(file))
        {
            return null;
        }

        static long? Size(string path) => File.Exists(path) ? new FileInfo(path).Length : null;
        return (new FileInfo(file).Length, Size(file + ".br"), Size(file + ".gz"));
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "GatewayClient.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("GatewayClient.sln not found above " + AppContext.BaseDirectory);
    }
}
