using Gateway.Client.Sessions;

namespace Gateway.Client.Extensions.Tests;

/// <summary>A <see cref="FileSessionStore"/> in a directory of its own on the given clock, deleted at the end of the test.</summary>
internal sealed class ScratchStore : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-di-tests-" + Guid.NewGuid().ToString("N"));

    public ScratchStore(TimeProvider? clock = null)
    {
        Store = new FileSessionStore(_directory, new FileSessionStoreOptions { TimeProvider = clock ?? TimeProvider.System });
    }

    public FileSessionStore Store { get; }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
