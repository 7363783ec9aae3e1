namespace Gateway.Client.TestSupport;

/// <summary>
/// Names a test assembly's tests in its skip report (<see cref="SkipReport"/>): <c>"Interop tests"</c> makes
/// <c>"Interop tests skipped (7 of 40): the reason"</c>. Without it, the assembly's name stands in.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class SkipReportSubjectAttribute(string subject) : Attribute
{
    /// <summary>What the assembly's tests are, as the start of a sentence.</summary>
    public string Subject { get; } = subject;
}
