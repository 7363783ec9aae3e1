// Chat: a console chat with an agent through Microsoft.Extensions.AI's IChatClient (client.AsIChatClient()).
// By default it starts an embedded TestGateway and chats with its echo agent; given a URL it talks to a real gateway:
//   dotnet run --project samples/Chat
//   dotnet run --project samples/Chat -- --url ws://127.0.0.1:8765/ws --token "$T" --agent support
//   dotnet run --project samples/Chat -- --url ws://127.0.0.1:18789 --dialect openclaw --token "$T"
// It reads one message a line from standard input until the end of it (Ctrl+D, or a pipe: echo hello | ...), streams
// each answer, and prints a turn's outcome when it did not complete. Ctrl+C cancels the turn in progress.
using Gateway.Client;
using Gateway.Client.AI;
using Gateway.Client.Testing;
using Microsoft.Extensions.AI;

Uri? url = null;
string? token = null;
string? agent = null;
var dialect = ProtocolDialect.PraisonAI;
for (var i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value");
    try
    {
        switch (args[i])
        {
            case "--url": url = Uri.TryCreate(Value(), UriKind.Absolute, out var parsed) && parsed.Scheme is "ws" or "wss" ? parsed : throw new UsageException("--url takes a ws:// or wss:// URL"); break;
            case "--token": token = Value(); break;
            case "--agent": agent = Value(); break;
            case "--dialect": dialect = ProtocolDialects.TryParse(Value(), out var named) ? named : throw new UsageException("--dialect takes praisonai, openclaw or praxis"); break;
            case "--help" or "-h": Console.WriteLine(Usage); return 0;
            default: throw new UsageException($"unknown argument {args[i]}");
        }
    }
    catch (UsageException e)
    {
        Console.Error.WriteLine($"chat: {e.Message}\n{Usage}");
        return 2;
    }
}

// No URL: the embedded reference gateway, whose default agent echoes each message ("echo: hello").
await using var embedded = url is null ? await TestGateway.StartAsync() : null;
var options = new GatewayClientOptions
{
    Url = url ?? embedded!.Url,
    Dialect = url is null ? ProtocolDialect.PraisonAI : dialect,
    AgentId = agent ?? (url is null ? "echo" : null),
    TokenProvider = token is null ? null : _ => new ValueTask<string?>(token),
};
GatewayClient client;
try
{
    client = new GatewayClient(options); // checks the options: PraisonAI needs --agent
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"chat: {e.Message}\n{Usage}");
    return 2;
}

await using var _ = client;
try
{
    await client.ConnectAsync();
}
catch (Exception e) when (e is GatewayException or TimeoutException or InvalidOperationException)
{
    Console.Error.WriteLine($"chat: could not connect to {options.Url}: {e.Message}");
    return 1;
}

using IChatClient chat = client.AsIChatClient();
var interactive = !Console.IsInputRedirected;
Console.Error.WriteLine($"Connected to {options.Url} ({ProtocolDialects.NameOf(client.Dialect)}, session {client.Session?.SessionId}). One message a line; end of input quits.");

CancellationTokenSource? turn = null;
Console.CancelKeyPress += (_, e) =>
{
    // Ctrl+C cancels the turn in progress (the agent is aborted where the gateway can); at the prompt it quits.
    if (Volatile.Read(ref turn) is { } current)
    {
        e.Cancel = true;
        current.Cancel();
    }
};

while (true)
{
    if (interactive)
    {
        Console.Write("> ");
    }

    var line = Console.ReadLine();
    if (line is null)
    {
        break;
    }

    if (string.IsNullOrWhiteSpace(line))
    {
        continue;
    }

    using var cancel = new CancellationTokenSource();
    Volatile.Write(ref turn, cancel);
    try
    {
        // The gateway keeps the conversation: each call sends only the new message.
        await foreach (var update in chat.GetStreamingResponseAsync(line, cancellationToken: cancel.Token))
        {
            foreach (var content in update.Contents)
            {
                switch (content)
                {
                    case TextContent text: Console.Write(text.Text); break;
                    case TextReasoningContent thinking: Console.Error.Write(thinking.Text); break;
                    case FunctionCallContent call: Console.Error.WriteLine($"\n[tool] {call.Name}"); break;
                    case FunctionResultContent result: Console.Error.WriteLine($"[tool result] {result.Result}"); break;
                }
            }

            if (update.GetGatewayTurnOutcome() is { IsCompleted: false } outcome)
            {
                Console.WriteLine();
                Console.WriteLine($"[turn {outcome}]");
            }
        }

        Console.WriteLine();
    }
    catch (OperationCanceledException) when (cancel.IsCancellationRequested)
    {
        Console.WriteLine("\n[turn cancelled]");
    }
    finally
    {
        Volatile.Write(ref turn, null);
    }
}

return 0;

internal sealed partial class Program
{
    private const string Usage = """
        usage: chat [--url <ws url> [--token <token>] [--dialect praisonai|openclaw|praxis] [--agent <id>]]
          without --url: chats with the echo agent of an embedded TestGateway
          reads one message a line from standard input until its end
        """;
}

internal sealed class UsageException(string message) : Exception(message);
