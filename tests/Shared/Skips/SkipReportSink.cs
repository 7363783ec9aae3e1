using Xunit.Abstractions;
using Xunit.Sdk;

namespace Gateway.Client.TestSupport;

/// <summary>
/// Passes a run's messages on, and just before the assembly's last one (<see cref="ITestAssemblyFinished"/>) sends
/// <paramref name="lines"/> to <paramref name="diagnostics"/>: after every test's result, so the lines sit right above
/// the run's summary.
/// </summary>
public sealed class SkipReportSink(IMessageSink inner, IMessageSink diagnostics, IReadOnlyList<string> lines)
    : LongLivedMarshalByRefObject, IMessageSink
{
    /// <inheritdoc/>
    public bool OnMessage(IMessageSinkMessage message)
    {
        if (message is ITestAssemblyFinished)
        {
            foreach (var line in lines)
            {
                diagnostics.OnMessage(new DiagnosticMessage(line));
            }
        }

        return inner.OnMessage(message);
    }
}
