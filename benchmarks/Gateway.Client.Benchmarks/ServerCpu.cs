using System.Globalization;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// CPU time of a server process and its children (PostgreSQL runs a backend process per connection), read from Linux's
/// /proc; null where there is no /proc. Children that exited are not counted, so it is read while they run.
/// </summary>
internal static class ServerCpu
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on Linux

    public static TimeSpan? Of(int processId)
    {
        if (!Directory.Exists("/proc"))
        {
            return null;
        }

        double ticks = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                continue;
            }

            try
            {
                // after "pid (name) ": state, ppid, ... utime is field 14 and stime field 15 of the whole line
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (id == processId || parent == processId)
                {
                    ticks += double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // the process exited while it was read
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
