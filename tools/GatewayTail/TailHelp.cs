using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace GatewayTail;

/// <summary>
/// <c>--help</c>: System.CommandLine's description, usage, argument and options, then what it cannot know: where the
/// output goes, the environment variables, the exit codes and tab completion. A fixed width, so the text is the same
/// in a terminal, a pipe and a test.
/// </summary>
internal sealed class TailHelp : SynchronousCommandLineAction
{
    public const string Description =
        "Connects to an agent gateway and prints its events on stdout, one line each; state changes, gaps and errors go to stderr "
        + "(with a live status line when stderr is a terminal). It reconnects and resumes like any Gateway.Client app. On exit it "
        + "prints where to resume on stderr, \"resume: <point>\", for --resume.";

    private const int Width = 110;

    private static readonly (string Title, string[] Lines)[] Sections =
    {
        ("Output:", new[]
        {
            "--format json   {\"seq\", \"type\", \"replay\", \"data\"} per line (\"frame\" too with --frames); UTF-8, valid JSON",
            "--format text   12:04:05.123 #41 message {\"text\":\"hi\"}: the event's own time if it has one, else its arrival",
            "Colour (text format, stderr) only on a terminal, with NO_COLOR unset or empty and TERM not dumb.",
        }),
        ("Environment variables:", new[]
        {
            $"{TokenSource.EnvironmentVariable,-14} the gateway token, when neither --token-file nor --token gives one",
            $"{"NO_COLOR",-14} set and not empty: no colour (https://no-color.org)",
        }),
        ("Exit codes:", new[]
        {
            "0 done (Ctrl+C or SIGTERM while tailing, --max-events), 1 unexpected error (a bug), 2 usage (also a token",
            "file that gives no token), 3 authentication refused, 4 incompatible protocol, 5 connection failed (also",
            "--max-attempts used up), 6 refused (unknown agent, configuration), 7 TLS failed, 130 Ctrl+C or SIGTERM before",
            "the first connection, 141 stdout closed (the reader went away, as after | head).",
        }),
        ("Tab completion:", new[]
        {
            "gateway-tail answers dotnet-suggest's [suggest] directive; its README says how to turn completion on.",
        }),
    };

    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        // System.CommandLine's own help first (its layout is not public to extend), then this tool's sections.
        new HelpAction { MaxWidth = Width }.Invoke(parseResult);
        var output = parseResult.InvocationConfiguration.Output;
        foreach (var (title, lines) in Sections)
        {
            output.WriteLine(title);
            foreach (var line in lines)
            {
                output.WriteLine("  " + line);
            }

            output.WriteLine();
        }

        return ExitCodes.Ok;
    }
}
