using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace GatewayTail;

/// <summary>
/// stdout as a stream that reports a closed reader. .NET's console stream ignores EPIPE (a write to a pipe whose
/// reader went away, as after <c>| head -2</c>), so a tail would run on forever; a stream over file descriptor 1
/// throws <see cref="IOException"/> instead. While nothing is written, <see cref="WatchAsync"/> asks the descriptor
/// itself (poll(2): POLLERR once the reader is gone) twice a second. A regular file keeps the console stream, whose
/// writes move the descriptor's shared offset as a shell expects.
/// </summary>
internal static partial class StandardOutput
{
    private const short PollError = 0x0008;   // POLLERR: the pipe's reader closed
    private const short PollHangUp = 0x0010;  // POLLHUP

    /// <summary>A UTF-8 writer over descriptor 1 (no byte-order mark) on Unix; the console's own writer elsewhere.</summary>
    public static TextWriter Open()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return Console.Out;
        }

        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        Stream stream = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        if (stream.CanSeek)
        {
            // A regular file (`> log`): FileStream writes at its own offset (pwrite) and leaves the descriptor's
            // shared one where it was, so whatever the shell writes next would overwrite our lines. The console
            // stream uses write(2); there is no pipe to break here anyway.
            stream.Dispose();
            stream = Console.OpenStandardOutput();
        }

        return new StreamWriter(stream, utf8, bufferSize: 16 * 1024) { AutoFlush = false };
    }

    /// <summary>Completes when stdout's reader has gone away (Unix); never otherwise, until <paramref name="cancellationToken"/> fires.</summary>
    public static async Task WatchAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            if (ReaderGone())
            {
                return;
            }
        }
    }

    private static bool ReaderGone()
    {
        var descriptor = new PollDescriptor { Fd = 1, Events = 0 };
        return Poll(ref descriptor, 1, 0) == 1 && (descriptor.Revents & (PollError | PollHangUp)) != 0;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(ref PollDescriptor descriptors, nuint count, int timeoutMilliseconds);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Fd;
        public short Events;
        public short Revents;
    }
}
