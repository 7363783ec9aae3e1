using System.Diagnostics;
using System.Globalization;

namespace Gateway.Client.ConformanceTests;

/// <summary>What the process holds at one moment: live managed heap (after a full collection), open handles and threads.</summary>
internal sealed record ProcessFootprint(long ManagedBytes, int Handles, int Threads)
{
    public static ProcessFootprint Take()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();

        // On Linux the open file descriptors are the handles that leak (sockets, timers' eventfds).
        var handles = Directory.Exists("/proc/self/fd") ? Directory.GetFileSystemEntries("/proc/self/fd").Length : process.HandleCount;
        return new ProcessFootprint(managed, handles, process.Threads.Count);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"managed heap {ManagedBytes / 1024.0 / 1024:0.00} MiB, {Handles} handles, {Threads} threads");
}
