using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Gateway.Client.TestSupport;

/// <summary>
/// Runs the test cases as xunit does, and says once per reason why some were skipped (<see cref="SkipReport"/>) as
/// the run ends (<see cref="SkipReportSink"/>). The lines are xunit diagnostic messages, which the VSTest adapter logs
/// as warnings when diagnostic messages are on (SkipReport.runsettings): <c>dotnet test</c> prints warnings at its
/// default verbosity, where it shows no skipped test's own reason.
/// </summary>
public sealed class SkipReportingExecutor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
    : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnosticMessageSink)
{
    /// <inheritdoc/>
    protected override void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
    {
        var cases = testCases.ToList();
        var lines = SkipReport.Lines(Subject(), cases.Select(testCase => testCase.SkipReason).ToList());
        base.RunTestCases(cases, new SkipReportSink(executionMessageSink, DiagnosticMessageSink, lines), executionOptions);
    }

    private string Subject() =>
        TestAssembly.Assembly.GetCustomAttributes(typeof(SkipReportSubjectAttribute)).FirstOrDefault()?.GetConstructorArguments().FirstOrDefault() as string
        ?? $"Tests of {TestAssembly.Assembly.Name.Split(',')[0]}";
}
