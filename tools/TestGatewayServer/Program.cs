using TestGatewayServer;

// Ctrl+C and SIGTERM stop the server; System.CommandLine waits for it at most ServerCommand.StopTimeout.
return await ServerCommand.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, TimeProvider.System, handleTermination: true, CancellationToken.None);
