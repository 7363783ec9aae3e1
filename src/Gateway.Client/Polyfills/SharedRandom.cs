namespace Gateway.Client;

/// <summary>A thread-safe shared random source on every target (netstandard2.0 lacks Random.Shared).</summary>
internal static class SharedRandom
{
#if NET6_0_OR_GREATER
    public static double NextDouble() => Random.Shared.NextDouble();
#else
    private static readonly Random Seeds = new();

    [ThreadStatic]
    private static Random? _local;

    public static double NextDouble()
    {
        if (_local is null)
        {
            int seed;
            lock (Seeds)
            {
                seed = Seeds.Next();
            }

            _local = new Random(seed);
        }

        return _local.NextDouble();
    }
#endif
}
