using System.Text;

namespace Gateway.Client.FleetTests;

/// <summary>
/// Judges a fleet's journals against what was published. Each event must have been handled (nothing lost), and handled
/// more than once only where fencing allows it: every handling but one of an event must be explained, either by the
/// killed worker (an event after its last accepted checkpoint of that session, which it could not checkpoint before it
/// died) or by the store refusing that very event's checkpoint (a worker that had lost the session: the paused one, or
/// one whose session was taken in balancing). An event that could not be checkpointed (refused, or held by the killed
/// worker) must have been handled again, and a worker gets no more events of a session once its checkpoint there was
/// refused. The gracefully stopped worker must have checkpointed everything it handled in the sessions it handed over,
/// so none of them is handled again; the paused worker's late checkpoints of the events it held must all have been
/// refused.
/// </summary>
internal sealed class FleetVerdict
{
    private readonly List<string> _problems = new();
    private readonly Dictionary<string, int> _duplicatesByCause = new(StringComparer.Ordinal);
    private readonly StringBuilder _summary = new();

    private FleetVerdict()
    {
    }

    /// <summary>What is wrong; empty when the fleet behaved.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Extra handlings (an event handled n times counts n - 1), by cause: killed, paused, fenced.</summary>
    public IReadOnlyDictionary<string, int> DuplicatesByCause => _duplicatesByCause;

    public int Duplicates => _duplicatesByCause.Values.Sum();

    public long Published { get; private set; }

    public long Handled { get; private set; }

    public static FleetVerdict Judge(IReadOnlyDictionary<string, long> published, IReadOnlyList<WorkerJournal> journals, string killed, string paused, string graceful)
    {
        var verdict = new FleetVerdict { Published = published.Values.Sum(), Handled = journals.Sum(j => j.Handled.Count) };
        var byWorker = journals.ToDictionary(j => j.Worker, StringComparer.Ordinal);
        var handlers = new Dictionary<(string Key, long Sequence), List<string>>();
        foreach (var journal in journals)
        {
            foreach (var handled in journal.Handled)
            {
                if (!published.TryGetValue(handled.Key, out var head) || handled.Sequence < 1 || handled.Sequence > head)
                {
                    verdict._problems.Add($"{journal.Worker} handled {handled.Key} {handled.Sequence}, which was never published");
                }

                if (!handlers.TryGetValue(handled, out var list))
                {
                    handlers[handled] = list = new List<string>();
                }

                list.Add(journal.Worker);
            }
        }

        verdict.CheckNothingLost(published, handlers);
        verdict.CheckDuplicates(handlers, byWorker, killed, paused);
        foreach (var journal in journals)
        {
            verdict.CheckHandledAgain(journal, journal.Worker == killed, handlers);
            verdict.CheckNothingHandledAfterLoss(journal);
        }

        verdict.CheckGracefulHandover(byWorker[graceful], handlers);
        verdict.CheckLateCheckpoints(byWorker[paused]);
        verdict.Summarize(journals);
        return verdict;
    }

    public override string ToString() => _summary.ToString();

    private void CheckNothingLost(IReadOnlyDictionary<string, long> published, Dictionary<(string Key, long Sequence), List<string>> handlers)
    {
        foreach (var (key, head) in published)
        {
            var missing = Enumerable.Range(1, (int)head).Where(sequence => !handlers.ContainsKey((key, sequence))).ToArray();
            if (missing.Length > 0)
            {
                _problems.Add($"lost: {key} {string.Join(",", missing.Take(20))}{(missing.Length > 20 ? $" and {missing.Length - 20} more" : string.Empty)} (published up to {head}) were never handled");
            }
        }
    }

    private void CheckDuplicates(Dictionary<(string Key, long Sequence), List<string>> handlers, Dictionary<string, WorkerJournal> byWorker, string killed, string paused)
    {
        foreach (var ((key, sequence), workers) in handlers.Where(h => h.Value.Count > 1).OrderBy(h => h.Key.Key, StringComparer.Ordinal).ThenBy(h => h.Key.Sequence))
        {
            var causes = workers.Select(worker => Cause(byWorker[worker], key, sequence, killed, paused)).ToList();
            var unexplained = causes.Count(cause => cause is null);
            if (unexplained > 1)
            {
                _problems.Add($"duplicate not explained by fencing: {key} {sequence} handled by {string.Join(", ", workers)}, none of which died before checkpointing it or had its checkpoint refused");
            }

            // The extra handlings, put down to the explained ones (all of them but one when every handling was explained).
            foreach (var cause in causes.OfType<string>().Take(workers.Count - 1))
            {
                _duplicatesByCause[cause] = _duplicatesByCause.GetValueOrDefault(cause) + 1;
            }

            _summary.AppendLine($"  duplicate {key} {sequence}: {string.Join(", ", workers.Zip(causes, (worker, cause) => $"{worker} ({cause ?? "kept"})"))}");
        }
    }

    /// <summary>Why <paramref name="journal"/>'s worker may have handled an event another worker handled too; null when nothing explains it.</summary>
    private static string? Cause(WorkerJournal journal, string key, long sequence, string killed, string paused)
    {
        if (journal.Rejected.Contains((key, sequence)))
        {
            return journal.Worker == paused && journal.Held.Contains((key, sequence)) ? "paused" : "fenced";
        }

        if (journal.Worker == killed && sequence > journal.LastCheckpointed.GetValueOrDefault(key))
        {
            return "killed";
        }

        return null;
    }

    /// <summary>
    /// An event a worker handled but could not checkpoint (refused, or held when it was killed) is the new owner's to
    /// handle again: the store's checkpoint is from before it.
    /// </summary>
    private void CheckHandledAgain(WorkerJournal journal, bool killed, Dictionary<(string Key, long Sequence), List<string>> handlers)
    {
        foreach (var (key, sequence) in journal.Rejected.Concat(killed ? journal.Held : []).Distinct())
        {
            if (handlers[(key, sequence)].Count < 2)
            {
                _problems.Add($"{journal.Worker} handled {key} {sequence} and could not checkpoint it ({(journal.Rejected.Contains((key, sequence)) ? "refused" : "killed")}), but nobody handled it again");
            }
        }
    }

    /// <summary>
    /// Once the store refused a checkpoint the session is lost: the worker may have had that one event in hand, but it must
    /// get no further event of the session until it owns it again. So its refusals in a session are at most its lost
    /// ownerships of it (each ends with a close for OwnershipLost).
    /// </summary>
    private void CheckNothingHandledAfterLoss(WorkerJournal journal)
    {
        foreach (var refused in journal.Rejected.GroupBy(r => r.Key))
        {
            var losses = journal.Closed.Count(c => c.Key == refused.Key && c.Reason == "OwnershipLost");
            if (refused.Count() > losses)
            {
                _problems.Add($"{journal.Worker} had {refused.Count()} checkpoints of {refused.Key} refused ({string.Join(",", refused.Select(r => r.Sequence).Order().Take(10))}...) over {losses} lost ownerships: it went on handling a session it had lost");
            }
        }
    }

    private void CheckGracefulHandover(WorkerJournal graceful, Dictionary<(string Key, long Sequence), List<string>> handlers)
    {
        var handedOver = graceful.Closed.Where(c => c.Reason == "Shutdown").Select(c => c.Key).ToArray();
        if (handedOver.Length == 0)
        {
            _problems.Add($"{graceful.Worker} stopped gracefully but closed no session with Shutdown");
        }

        foreach (var key in handedOver)
        {
            var last = graceful.Handled.Where(h => h.Key == key).Select(h => h.Sequence).DefaultIfEmpty(0).Max();
            var checkpointed = graceful.LastCheckpointed.GetValueOrDefault(key);
            if (checkpointed != last)
            {
                _problems.Add($"graceful handover of {key}: {graceful.Worker} handled up to {last} but its last accepted checkpoint was {checkpointed}");
            }

            if (last > 0 && handlers[(key, last)].Count != 1)
            {
                _problems.Add($"graceful handover of {key}: its last event before the handover, {last}, was handled by {string.Join(", ", handlers[(key, last)])}");
            }

            if (graceful.Rejected.Any(r => r.Key == key))
            {
                _problems.Add($"graceful handover of {key}: {graceful.Worker} had a checkpoint refused in a session it handed over");
            }
        }
    }

    private void CheckLateCheckpoints(WorkerJournal paused)
    {
        if (paused.Held.Count == 0)
        {
            _problems.Add($"{paused.Worker} held no event when it was paused");
        }

        foreach (var held in paused.Held.Where(held => !paused.Rejected.Contains(held)))
        {
            _problems.Add($"{paused.Worker}'s late checkpoint of {held.Key} {held.Sequence}, held across its pause, was not refused");
        }
    }

    private void Summarize(IReadOnlyList<WorkerJournal> journals)
    {
        var details = _summary.ToString();
        _summary.Clear();
        _summary.AppendLine($"published {Published} events; handled {Handled}; duplicates {Duplicates} ({string.Join(", ", _duplicatesByCause.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"))})");
        foreach (var journal in journals)
        {
            _summary.AppendLine($"  {journal.Worker}: handled {journal.Handled.Count}, held {journal.Held.Count}, refused checkpoints {journal.Rejected.Count}, closed {journal.Closed.Count(c => c.Reason == "Shutdown")} Shutdown / {journal.Closed.Count(c => c.Reason == "OwnershipLost")} OwnershipLost, errors {journal.Errors.Count}{(journal.Errors.Count > 0 ? ": " + string.Join("; ", journal.Errors.Take(5)) : string.Empty)}");
        }

        _summary.Append(details);
    }
}
