namespace Gateway.Client.TestSupport;

/// <summary>
/// What a test run says about its skipped tests: one line per distinct reason (not one per test), naming the tests'
/// kind and how many of the run's tests that reason skipped, so a plain <c>dotnet test</c> tells what is missing and
/// how to get it.
/// </summary>
public static class SkipReport
{
    /// <summary>
    /// The lines for a run whose tests have <paramref name="skipReasons"/> (null for a test that runs), in the order
    /// each reason first appears: <c>"Interop tests skipped (7 of 40): the reason"</c>. None when nothing is skipped.
    /// </summary>
    public static IReadOnlyList<string> Lines(string subject, IReadOnlyCollection<string?> skipReasons)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        return skipReasons
            .Where(reason => !string.IsNullOrWhiteSpace(reason))
            .GroupBy(reason => reason!.Trim(), StringComparer.Ordinal)
            .Select(group => $"{subject} skipped ({group.Count()} of {skipReasons.Count}): {group.Key}")
            .ToList();
    }
}
