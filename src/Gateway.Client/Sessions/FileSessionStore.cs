using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gateway.Client.Sessions;

/// <summary>
/// An <see cref="ISessionStore"/> in one directory of the local file system: the embedded default for the workers of
/// one machine. Each session is one small JSON file holding its lease, its newest fencing token and its checkpoint.
/// <para>Every change (claim, renewal, release, checkpoint) reads, decides and rewrites a session's file while holding
/// that session's lock: a lock file opened exclusively (<see cref="FileShare.None"/>, an OS lock the kernel drops when
/// the holder dies), so calls are serialized across threads and processes alike; a wait for it is bounded by
/// <see cref="FileSessionStoreOptions.LockTimeout"/> and ends in <see cref="SessionStoreException"/>. The file is
/// rewritten atomically: a temporary file is written and flushed to disk, then renamed over the old one, so a reader (or
/// a crash) sees the old record or the new one, never a torn one. Reads (<see cref="ListLeasesAsync"/>,
/// <see cref="ReadCheckpointAsync"/>) take no lock.</para>
/// <para>The guarantees hold on one machine (a local file system, one clock). A network file system whose locks or
/// renames are not reliable breaks them; use a server store there.</para>
/// </summary>
public sealed class FileSessionStore : ISessionStore
{
    private const int Format = 1;
    private const string FilePrefix = "s-";
    private const string RecordExtension = ".json";

    /// <summary>One gate per lock file in this process: calls of one process queue here, not on the OS lock, so only other
    /// processes make a call retry (and the wait in this process needs no clock).</summary>
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMilliseconds(50);

    private readonly TimeProvider _time;
    private readonly TimeSpan _lockTimeout;

    /// <summary>Creates a store over <paramref name="directory"/> (created on first use).</summary>
    /// <param name="directory">The directory, for this store alone: every file in it named <c>s-*.json</c> is a session.</param>
    /// <param name="options">The clock and the lock timeout; defaults when null.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is null, empty or not a valid path.</exception>
    public FileSessionStore(string directory, FileSessionStoreOptions? options = null)
    {
        Guard.NotNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        options ??= new FileSessionStoreOptions();
        _time = options.TimeProvider;
        _lockTimeout = options.LockTimeout;
    }

    /// <summary>The directory the sessions' files are in (a full path).</summary>
    public string Directory { get; }

    /// <inheritdoc/>
    public Task<SessionLease?> TryClaimAsync(string sessionKey, string ownerId, TimeSpan duration, SessionLease? observed, CancellationToken cancellationToken)
    {
        Guard.NotNullOrWhiteSpace(sessionKey);
        Guard.NotNullOrWhiteSpace(ownerId);
        CheckDuration(duration);
        return UpdateAsync<SessionLease?>(sessionKey, "claim", cancellationToken, (record, now) =>
        {
            if (record is not null && record.IsLive(now) && (observed is null || !record.Matches(observed)))
            {
                return (null, null);
            }

            var claimed = new Record(sessionKey, ownerId, (record?.Token ?? 0) + 1, Expiry(now, duration), (record?.Version ?? 0) + 1, record?.Checkpoint);
            return (claimed, claimed.ToLease());
        });
    }

    /// <inheritdoc/>
    public Task<SessionLease?> RenewAsync(SessionLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        Guard.NotNull(lease);
        CheckDuration(duration);
        return UpdateAsync<SessionLease?>(lease.SessionKey, "renew", cancellationToken, (record, now) =>
        {
            if (record is null || !record.IsHeldBy(lease))
            {
                return (null, null);
            }

            var renewed = record.With(record.OwnerId, Expiry(now, duration));
            return (renewed, renewed.ToLease());
        });
    }

    /// <inheritdoc/>
    public Task<bool> ReleaseAsync(SessionLease lease, CancellationToken cancellationToken)
    {
        Guard.NotNull(lease);
        return UpdateAsync(lease.SessionKey, "release", cancellationToken, (record, now) =>
            record is not null && record.IsHeldBy(lease) ? (record.With(string.Empty, now), true) : (null, false));
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<SessionLease>> ListLeasesAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var leases = new List<SessionLease>();
        if (!System.IO.Directory.Exists(Directory))
        {
            return Task.FromResult<IReadOnlyList<SessionLease>>(leases);
        }

        try
        {
            foreach (var path in System.IO.Directory.EnumerateFiles(Directory, FilePrefix + "*" + RecordExtension))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (ReadRecord(path, expectedKey: null) is { } record)
                {
                    leases.Add(record.ToLease());
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SessionStoreException($"The file session store could not list {Directory}: {e.Message}", e);
        }

        return Task.FromResult<IReadOnlyList<SessionLease>>(leases);
    }

    /// <inheritdoc/>
    public Task<SessionCheckpoint?> ReadCheckpointAsync(string sessionKey, CancellationToken cancellationToken)
    {
        Guard.NotNullOrWhiteSpace(sessionKey);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(ReadRecord(RecordPath(sessionKey), sessionKey)?.Checkpoint);
    }

    /// <inheritdoc/>
    public Task WriteCheckpointAsync(SessionLease lease, GatewayResumePoint position, CancellationToken cancellationToken)
    {
        Guard.NotNull(lease);
        Guard.NotNull(position);
        return UpdateAsync<bool>(lease.SessionKey, "checkpoint", cancellationToken, (record, now) =>
        {
            if (record is null || record.Token != lease.Token)
            {
                throw new SessionOwnershipLostException(lease.SessionKey, lease.Token, record?.Token);
            }

            return (record.WithCheckpoint(new SessionCheckpoint(lease.SessionKey, position, lease.Token, now)), true);
        });
    }

    private static void CheckDuration(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A lease's duration must be positive.");
        }
    }

    private static DateTimeOffset Expiry(DateTimeOffset now, TimeSpan duration) =>
        duration < DateTimeOffset.MaxValue - now ? now + duration : DateTimeOffset.MaxValue;

    /// <summary>Under the session's lock: reads its record, lets <paramref name="decide"/> choose the record to write (null: none) and the answer, writes it.</summary>
    private async Task<T> UpdateAsync<T>(string sessionKey, string operation, CancellationToken cancellationToken, Func<Record?, DateTimeOffset, (Record? Write, T Result)> decide)
    {
        var path = RecordPath(sessionKey);
        using (await LockAsync(path + ".lock", cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (write, result) = decide(ReadRecord(path, sessionKey), _time.GetUtcNow());
            if (write is not null)
            {
                WriteRecord(path, write, operation);
            }

            return result;
        }
    }

    private async Task<IDisposable> LockAsync(string lockPath, CancellationToken cancellationToken)
    {
        var started = _time.GetUtcNow();
        var gate = Gates.GetOrAdd(lockPath, static _ => new SemaphoreSlim(1, 1));
        // WaitAsync(0) answers at once, like Wait(0), without the blocking overload a browser does not have.
        if (!await gate.WaitAsync(0, CancellationToken.None).ConfigureAwait(false))
        {
            using var timeout = TimeProviderDelay.CancelAfter(_time, _lockTimeout);
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                await gate.WaitAsync(bounded.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw LockTimedOut(lockPath, null);
            }
        }

        try
        {
            var retry = FirstRetry;
            while (true)
            {
                IOException failure;
                try
                {
                    System.IO.Directory.CreateDirectory(Directory);
                    var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.None);
                    return new HeldLock(stream, gate);
                }
                catch (IOException e)
                {
                    // Another process holds it (a sharing violation; on Unix an flock conflict): wait and try again.
                    failure = e;
                }
                catch (UnauthorizedAccessException e)
                {
                    throw new SessionStoreException($"The file session store may not open its lock file {lockPath}: {e.Message}", e);
                }

                if (_lockTimeout != Timeout.InfiniteTimeSpan && _time.GetUtcNow() - started >= _lockTimeout)
                {
                    throw LockTimedOut(lockPath, failure);
                }

                await TimeProviderDelay.Delay(_time, retry, cancellationToken).ConfigureAwait(false);
                retry = retry + retry < LongestRetry ? retry + retry : LongestRetry;
            }
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    private SessionStoreException LockTimedOut(string lockPath, IOException? last) =>
        new($"The file session store waited {_lockTimeout} for the lock {lockPath}, which another process or call holds" + (last is null ? "." : $": {last.Message}"), last);

    /// <summary>The session's file: its key hashed (any key, any length, any file system's case rules), the key itself inside.</summary>
    private string RecordPath(string sessionKey)
    {
        byte[] hash;
        using (var sha = SHA256.Create())
        {
            hash = sha.ComputeHash(Encoding.UTF8.GetBytes(sessionKey));
        }

        var name = new StringBuilder(FilePrefix.Length + (hash.Length * 2) + RecordExtension.Length).Append(FilePrefix);
        foreach (var b in hash)
        {
            name.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return Path.Combine(Directory, name.Append(RecordExtension).ToString());
    }

    /// <summary>The record in <paramref name="path"/>; null when there is none.</summary>
    private static Record? ReadRecord(string path, string? expectedKey)
    {
        byte[] bytes;
        try
        {
            // Shared for delete and write: a writer may rename a new file over this one while it is read (Windows).
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SessionStoreException($"The file session store could not read {path}: {e.Message}", e);
        }

        Record record;
        try
        {
            record = Record.Parse(bytes);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            throw new SessionStoreException($"The file session store's record {path} is not one it wrote: {e.Message}", e);
        }

        if (expectedKey is not null && !string.Equals(record.SessionKey, expectedKey, StringComparison.Ordinal))
        {
            throw new SessionStoreException($"The file session store's record {path} belongs to session {record.SessionKey}, not {expectedKey}.");
        }

        return record;
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="record"/> atomically: a temporary file, flushed to disk, renamed over it.</summary>
    private static void WriteRecord(string path, Record record, string operation)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            var bytes = record.ToJson();
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.None))
            {
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush(flushToDisk: true);
            }

            if (File.Exists(path))
            {
                File.Replace(temporary, path, destinationBackupFileName: null);
            }
            else
            {
                // Under the session's lock, so nobody creates it in between.
                File.Move(temporary, path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new SessionStoreException($"The file session store could not write the {operation} to {path}: {e.Message}", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary file is only clutter: it is never read as a session.
        }
    }

    /// <summary>A session's lock, held: the lock file open exclusively and this process's gate.</summary>
    private sealed class HeldLock : IDisposable
    {
        private FileStream? _stream;
        private readonly SemaphoreSlim _gate;

        public HeldLock(FileStream stream, SemaphoreSlim gate)
        {
            _stream = stream;
            _gate = gate;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _stream, null) is { } stream)
            {
                stream.Dispose();
                _gate.Release();
            }
        }
    }

    /// <summary>One session's file: its lease, the lease's version, the newest token and the checkpoint.</summary>
    private sealed class Record
    {
        public Record(string sessionKey, string ownerId, long token, DateTimeOffset expiresAt, long version, SessionCheckpoint? checkpoint)
        {
            SessionKey = sessionKey;
            OwnerId = ownerId;
            Token = token;
            ExpiresAt = expiresAt;
            Version = version;
            Checkpoint = checkpoint;
        }

        public string SessionKey { get; }

        public string OwnerId { get; }

        /// <summary>The current ownership's token, the newest the session has had.</summary>
        public long Token { get; }

        public DateTimeOffset ExpiresAt { get; }

        public long Version { get; }

        public SessionCheckpoint? Checkpoint { get; }

        public bool IsLive(DateTimeOffset now) => OwnerId.Length > 0 && ExpiresAt > now;

        /// <summary>Whether <paramref name="lease"/> is this record's current ownership (lapsed or not), not released.</summary>
        public bool IsHeldBy(SessionLease lease) =>
            OwnerId.Length > 0 && Token == lease.Token && string.Equals(OwnerId, lease.OwnerId, StringComparison.Ordinal);

        /// <summary>Whether <paramref name="observed"/> is still this record's lease (for a steal): same ownership, unchanged since.</summary>
        public bool Matches(SessionLease observed) =>
            Token == observed.Token
            && string.Equals(OwnerId, observed.OwnerId, StringComparison.Ordinal)
            && (observed.Version is null || string.Equals(observed.Version, VersionText, StringComparison.Ordinal));

        public Record With(string ownerId, DateTimeOffset expiresAt) => new(SessionKey, ownerId, Token, expiresAt, Version + 1, Checkpoint);

        public Record WithCheckpoint(SessionCheckpoint checkpoint) => new(SessionKey, OwnerId, Token, ExpiresAt, Version, checkpoint);

        public SessionLease ToLease() => new(SessionKey, OwnerId, Token, ExpiresAt, VersionText);

        private string VersionText => Version.ToString(CultureInfo.InvariantCulture);

        public byte[] ToJson()
        {
            using var output = new MemoryStream();
            using (var json = new Utf8JsonWriter(output))
            {
                json.WriteStartObject();
                json.WriteNumber("format", Format);
                json.WriteString("sessionKey", SessionKey);
                json.WriteString("ownerId", OwnerId);
                json.WriteNumber("token", Token);
                json.WriteString("expiresAt", ExpiresAt);
                json.WriteNumber("version", Version);
                if (Checkpoint is { } checkpoint)
                {
                    json.WriteStartObject("checkpoint");
                    json.WriteString("position", checkpoint.Position.ToString());
                    json.WriteNumber("token", checkpoint.Token);
                    json.WriteString("writtenAt", checkpoint.WrittenAt);
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            return output.ToArray();
        }

        public static Record Parse(byte[] bytes)
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            var format = root.GetProperty("format").GetInt32();
            if (format != Format)
            {
                throw new FormatException($"format {format}, not {Format} (written by another version?)");
            }

            var sessionKey = root.GetProperty("sessionKey").GetString()!;
            SessionCheckpoint? checkpoint = null;
            if (root.TryGetProperty("checkpoint", out var written) && written.ValueKind == JsonValueKind.Object)
            {
                checkpoint = new SessionCheckpoint(
                    sessionKey,
                    GatewayResumePoint.Parse(written.GetProperty("position").GetString()!),
                    written.GetProperty("token").GetInt64(),
                    written.GetProperty("writtenAt").GetDateTimeOffset());
            }

            return new Record(
                sessionKey,
                root.GetProperty("ownerId").GetString()!,
                root.GetProperty("token").GetInt64(),
                root.GetProperty("expiresAt").GetDateTimeOffset(),
                root.GetProperty("version").GetInt64(),
                checkpoint);
        }
    }
}
