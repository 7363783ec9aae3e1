using Xunit.Abstractions;
using Xunit.Sdk;

namespace Gateway.Client.InteropTests;

/// <summary>
/// The lines a run prints about its skipped tests (tests/Shared/Skips). They live here, in the project that skips all
/// its other tests outside CI's namespace, so its summary always reports tests that ran.
/// </summary>
public class SkipReportTests
{
    [Fact]
    public void One_line_per_distinct_reason_in_order_of_first_appearance_with_how_many_tests_it_skipped()
    {
        var lines = SkipReport.Lines("Interop tests", ["no namespace", null, "no praxis", "no namespace", " no namespace "]);

        Assert.Equal(
        [
            "Interop tests skipped (3 of 5): no namespace",
            "Interop tests skipped (1 of 5): no praxis",
        ], lines);
    }

    [Fact]
    public void A_run_that_skips_nothing_says_nothing()
    {
        Assert.Empty(SkipReport.Lines("Interop tests", [null, null, ""]));
        Assert.Empty(SkipReport.Lines("Interop tests", []));
    }

    [Fact]
    public void The_lines_go_out_after_every_result_and_before_the_assemblys_end()
    {
        var seen = new List<string>();
        var sink = new SkipReportSink(new RecordingSink("run", seen), new RecordingSink("diagnostic", seen), ["first reason", "second reason"]);

        sink.OnMessage(new DiagnosticMessage("a result"));
        Assert.Equal(["run: a result"], seen);

        var assembly = new TestAssembly(Reflector.Wrap(typeof(SkipReportTests).Assembly));
        sink.OnMessage(new TestAssemblyFinished([], assembly, executionTime: 0, testsRun: 2, testsFailed: 0, testsSkipped: 2));

        Assert.Equal(["run: a result", "diagnostic: first reason", "diagnostic: second reason", "run: finished"], seen);
    }

    [Fact]
    public void Outside_the_namespace_the_reason_says_how_to_get_in()
    {
        var reason = InteropEnvironment.WhyNotIsolated();

        // Inside CI's namespace there is nothing to say; anywhere else the reason names the command.
        Assert.True(reason is null || reason.Contains(InteropEnvironment.NamespacedCommand, StringComparison.Ordinal), reason);
        Assert.StartsWith("unshare --net ", InteropEnvironment.NamespacedCommand, StringComparison.Ordinal);
    }

    private sealed class RecordingSink(string name, List<string> seen) : LongLivedMarshalByRefObject, IMessageSink
    {
        public bool OnMessage(IMessageSinkMessage message)
        {
            seen.Add($"{name}: {(message is IDiagnosticMessage diagnostic ? diagnostic.Message : message is ITestAssemblyFinished ? "finished" : message.GetType().Name)}");
            return true;
        }
    }
}
