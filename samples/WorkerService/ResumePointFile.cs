using Gateway.Client;

namespace WorkerService;

/// <summary>
/// Where the worker keeps its progress across restarts: the resume point of the last event it handled, as text, in a
/// file ("Worker:ResumePointFile"). A real app keeps it with the effect of handling the event (the same database
/// commit), which makes the restart exactly-once; a file beside it is at-least-once.
/// </summary>
public sealed class ResumePointFile(string path)
{
    /// <summary>The stored point's text, or null before the first event was ever handled.</summary>
    public string? Load() => File.Exists(path) ? File.ReadAllText(path).Trim() : null;

    /// <summary>Forgets the stored point (the demo's, which no later run could use).</summary>
    public void Delete() => File.Delete(path);

    /// <summary>Stores <paramref name="point"/> in place of the previous one (write, then rename: never half a point).</summary>
    public async Task SaveAsync(GatewayResumePoint point, CancellationToken cancellationToken)
    {
        var next = path + ".next";
        await File.WriteAllTextAsync(next, point.ToString(), cancellationToken);
        File.Move(next, path, overwrite: true);
    }
}
