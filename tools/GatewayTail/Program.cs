using System.Runtime.InteropServices;
using GatewayTail;

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C ends the tail gracefully (it leaves the session); a second one kills the process.
    if (!stop.IsCancellationRequested)
    {
        e.Cancel = true;
        stop.Cancel();
    }
};

// SIGTERM (a service manager, `timeout`, `kill`) ends it the same graceful way.
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

// stdout over its descriptor, so a reader that went away (`| head -2`) ends the tail instead of being ignored.
var stdout = StandardOutput.Open();
var outputClosed = StandardOutput.WatchAsync(stop.Token);
var host = new TailHost
{
    Out = stdout,
    Error = Console.Error,
    OutIsTerminal = !Console.IsOutputRedirected,
    ErrorIsTerminal = !Console.IsErrorRedirected,
    Environment = Environment.GetEnvironmentVariable,
};
var exit = await TailCommand.RunAsync(args, host, stop.Token, outputClosed);
try
{
    await stdout.FlushAsync();
}
catch (IOException)
{
    return ExitCodes.OutputClosed; // the reader went away before the last lines (--help piped to head)
}

return exit;
