using GatewayTail;

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C ends the tail cleanly (exit 0); a second one kills the process.
    if (!stop.IsCancellationRequested)
    {
        e.Cancel = true;
        stop.Cancel();
    }
};

return await TailCommand.RunAsync(args, Console.Out, Console.Error, !Console.IsErrorRedirected, Environment.GetEnvironmentVariable, stop.Token);
