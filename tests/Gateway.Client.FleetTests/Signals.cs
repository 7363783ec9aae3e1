using System.Runtime.InteropServices;

namespace Gateway.Client.FleetTests;

/// <summary>POSIX signals to a worker process by its id (SIGSTOP and SIGCONT differ between Linux and macOS).</summary>
internal static class Signals
{
    public const int Kill = 9;
    public const int Terminate = 15;

    public static int Continue => OperatingSystem.IsMacOS() ? 19 : 18;

    public static int Stop => OperatingSystem.IsMacOS() ? 17 : 19;

    /// <exception cref="InvalidOperationException">The signal could not be sent (the message has errno).</exception>
    public static void Send(int processId, int signal)
    {
        if (kill(processId, signal) != 0)
        {
            throw new InvalidOperationException($"kill({processId}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
