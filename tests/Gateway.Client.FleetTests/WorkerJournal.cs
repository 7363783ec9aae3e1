using System.Globalization;

namespace Gateway.Client.FleetTests;

/// <summary>
/// What one worker wrote in its journal (the worker's <c>Journal</c>): the events it handled (with repeats), the last
/// sequence whose checkpoint the store accepted per session, the checkpoints the store refused, the events it held,
/// its sessions' closes and its errors. A line still being written (no newline yet) is left for the next read.
/// </summary>
internal sealed class WorkerJournal
{
    private WorkerJournal(string worker) => Worker = worker;

    public string Worker { get; }

    /// <summary>Every handled event, in the order handled, repeats included.</summary>
    public List<(string Key, long Sequence)> Handled { get; } = new();

    /// <summary>Per session, the highest sequence whose checkpoint the store accepted.</summary>
    public Dictionary<string, long> LastCheckpointed { get; } = new(StringComparer.Ordinal);

    /// <summary>Events whose checkpoint the store refused (<c>SessionOwnershipLostException</c>).</summary>
    public HashSet<(string Key, long Sequence)> Rejected { get; } = new();

    /// <summary>Events a handler held (the test's hold file) between handling and checkpointing.</summary>
    public HashSet<(string Key, long Sequence)> Held { get; } = new();

    /// <summary>Sessions closed, with the reason (<c>Shutdown</c>, <c>OwnershipLost</c>), in order.</summary>
    public List<(string Key, string Reason)> Closed { get; } = new();

    /// <summary>Failures the processor reported to the error handler (<c>key operation ExceptionType</c>).</summary>
    public List<string> Errors { get; } = new();

    public static WorkerJournal Read(string worker, string path)
    {
        var journal = new WorkerJournal(worker);
        if (!File.Exists(path))
        {
            return journal;
        }

        string text;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(file))
        {
            text = reader.ReadToEnd();
        }

        var complete = text.LastIndexOf('\n');
        foreach (var line in text[..(complete + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            journal.Add(line);
        }

        return journal;
    }

    private void Add(string line)
    {
        var parts = line.Split(' ');
        switch (parts)
        {
            case ["handled", var key, var sequence]:
                Handled.Add((key, Number(sequence)));
                break;
            case ["checkpointed", var key, var sequence]:
                LastCheckpointed[key] = Math.Max(LastCheckpointed.GetValueOrDefault(key), Number(sequence));
                break;
            case ["rejected", var key, var sequence]:
                Rejected.Add((key, Number(sequence)));
                break;
            case ["holding", var key, var sequence]:
                Held.Add((key, Number(sequence)));
                break;
            case ["closed", var key, var reason]:
                Closed.Add((key, reason));
                break;
            case ["error", ..]:
                Errors.Add(string.Join(' ', parts[1..]));
                break;
            default:
                throw new InvalidOperationException($"{Worker}'s journal has a line it should not: '{line}'");
        }
    }

    private static long Number(string text) => long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}
