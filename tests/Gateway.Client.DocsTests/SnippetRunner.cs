using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Gateway.Client.Testing;

namespace Gateway.Client.DocsTests;

/// <summary>
/// Runs a block marked <c>&lt;!-- snippet: run --&gt;</c>: a complete program, compiled as written except that the
/// loopback gateway address it names (<c>ws://127.0.0.1:8765/ws</c>) becomes a <see cref="TestGateway"/>'s on a free
/// port, loaded into a collectible context and run to its end with its console output captured.
/// </summary>
public static partial class SnippetRunner
{
    /// <summary>How long a program may run before it counts as hung.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static readonly SemaphoreSlim ConsoleOwner = new(1, 1);

    /// <summary>Runs <paramref name="block"/> and returns what it wrote to the console; throws what it threw.</summary>
    public static async Task<string> RunAsync(DocumentationCodeBlock block)
    {
        await using var gateway = await TestGateway.StartAsync();
        var image = SnippetCompiler.Emit(block with { Code = LoopbackGateway().Replace(block.Code, gateway.Url.ToString()) });
        var context = new AssemblyLoadContext($"snippet {block.Id}", isCollectible: true);
        try
        {
            var entryPoint = context.LoadFromStream(new MemoryStream(image)).EntryPoint
                ?? throw new InvalidOperationException($"The block at {block.Id} is marked run but is no program (it has no statements).");
            return await RunCapturingConsoleAsync(entryPoint, block.Id);
        }
        finally
        {
            context.Unload();
        }
    }

    private static async Task<string> RunCapturingConsoleAsync(MethodInfo entryPoint, string id)
    {
        await ConsoleOwner.WaitAsync();
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            var run = Task.Run(() =>
            {
                try
                {
                    entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
                }
                catch (TargetInvocationException e) when (e.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                }
            });
            await run.WaitAsync(Limit).ConfigureAwait(false);
            return output.ToString();
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The program at {id} did not end within {Limit.TotalSeconds:0} s; it printed: {output}");
        }
        finally
        {
            Console.SetOut(original);
            ConsoleOwner.Release();
        }
    }

    [GeneratedRegex(@"ws://127\.0\.0\.1:8765/ws")]
    private static partial Regex LoopbackGateway();
}
