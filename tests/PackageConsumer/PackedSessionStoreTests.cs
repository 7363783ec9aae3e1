using Gateway.Client;
using Gateway.Client.Sessions;
using Gateway.Client.Sessions.Sqlite;

namespace PackageConsumer;

/// <summary>The session stores from their packages (net8.0 too): the file store in Gateway.Client, the SQLite one with its native SQLite.</summary>
public class PackedSessionStoreTests
{
    public static TheoryData<string> Stores => new() { "file", "sqlite" };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_store_from_the_package_claims_checkpoints_and_fences(string kind)
    {
        var directory = Path.Combine(Path.GetTempPath(), "packed-sessions-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            ISessionStore store = kind == "file"
                ? new FileSessionStore(directory)
                : new SqliteSessionStore($"Data Source={Path.Combine(directory, "sessions.db")};Pooling=False");
            var first = await store.TryClaimAsync("orders", "worker-a", TimeSpan.FromMinutes(1), null, CancellationToken.None);
            Assert.NotNull(first);
            await store.WriteCheckpointAsync(first, new GatewayResumePoint("s-1", null, 3), CancellationToken.None);
            Assert.True(await store.ReleaseAsync(first, CancellationToken.None));
            var second = await store.TryClaimAsync("orders", "worker-b", TimeSpan.FromMinutes(1), null, CancellationToken.None);
            Assert.NotNull(second);

            await Assert.ThrowsAsync<SessionOwnershipLostException>(() => store.WriteCheckpointAsync(first, new GatewayResumePoint("s-1", null, 2), CancellationToken.None));
            Assert.Equal(3, (await store.ReadCheckpointAsync("orders", CancellationToken.None))?.Position.Sequence);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
