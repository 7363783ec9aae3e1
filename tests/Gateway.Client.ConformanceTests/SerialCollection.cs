namespace Gateway.Client.ConformanceTests;

/// <summary>
/// Tests that measure the process (heap, handles, unobserved task exceptions) or hammer it with
/// repetitions: they run on their own, after the parallel tests, so nothing else skews them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial (process-wide measurements)";
}
