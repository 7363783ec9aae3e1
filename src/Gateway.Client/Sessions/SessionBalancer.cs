namespace Gateway.Client.Sessions;

/// <summary>What one balancing cycle does: nothing, claim a free session, or steal one from the most loaded owner.</summary>
internal enum BalanceAction
{
    None,
    Claim,
    Steal,
}

/// <summary>One cycle's decision (at most one claim per cycle).</summary>
internal sealed class BalanceDecision
{
    public static readonly BalanceDecision None = new(BalanceAction.None, null, null, null);

    public BalanceDecision(BalanceAction action, string? sessionKey, SessionLease? observed, string? fromOwner)
    {
        Action = action;
        SessionKey = sessionKey;
        Observed = observed;
        FromOwner = fromOwner;
    }

    public BalanceAction Action { get; }

    /// <summary>The session to claim; null for <see cref="BalanceAction.None"/>.</summary>
    public string? SessionKey { get; }

    /// <summary>The lease seen in the listing (passed to the store's conditional claim); null when the session had none.</summary>
    public SessionLease? Observed { get; }

    /// <summary>For a steal, the owner it is taken from.</summary>
    public string? FromOwner { get; }

    public override string ToString() => Action == BalanceAction.None ? "none" : $"{Action} {SessionKey}" + (FromOwner is null ? string.Empty : $" from {FromOwner}");
}

/// <summary>
/// The fair-share rule of the balancing cycle, pure: active owners are the owners of live leases plus this one;
/// <c>min = sessions / owners</c>, <c>extra = sessions % owners</c>, and everyone ends at <c>min</c> or <c>min + 1</c>.
/// An owner claims when it holds fewer than <c>min</c>, or exactly <c>min</c> while fewer than <c>extra</c> owners
/// hold more than <c>min</c>. It claims a free session first (one whose owner left, released or lapsed, before one never
/// claimed); else it steals from the most loaded owner, when that owner holds more than <c>min + 1</c>, or
/// <c>min + 1</c> while this one holds fewer than <c>min</c>.
/// </summary>
internal static class SessionBalancer
{
    /// <param name="ownerId">The owner deciding.</param>
    /// <param name="sessionKeys">Every session of the set.</param>
    /// <param name="leases">The store's leases (of any key; only the set's count).</param>
    /// <param name="now">The instant lapses are judged at.</param>
    /// <param name="random">Picks among equals.</param>
    /// <param name="claimable">Which sessions this owner may take now (null: all); the others still count toward the fair
    /// share, but are never picked, so one session in back-off does not stop the owner from taking the rest.</param>
    public static BalanceDecision Decide(string ownerId, IReadOnlyCollection<string> sessionKeys, IEnumerable<SessionLease> leases, DateTimeOffset now, Random random, Func<string, bool>? claimable = null)
    {
        var byKey = new Dictionary<string, SessionLease>(StringComparer.Ordinal);
        foreach (var lease in leases)
        {
            byKey[lease.SessionKey] = lease;
        }

        var owned = new Dictionary<string, List<SessionLease>>(StringComparer.Ordinal) { [ownerId] = new List<SessionLease>() };
        var free = new List<string>();
        foreach (var key in sessionKeys)
        {
            if (byKey.TryGetValue(key, out var lease) && lease.IsLive(now))
            {
                if (!owned.TryGetValue(lease.OwnerId, out var list))
                {
                    owned[lease.OwnerId] = list = new List<SessionLease>();
                }

                list.Add(lease);
            }
            else
            {
                free.Add(key);
            }
        }

        var owners = owned.Count;
        var min = sessionKeys.Count / owners;
        var extra = sessionKeys.Count % owners;
        var mine = owned[ownerId].Count;
        var aboveMin = owned.Count(o => o.Value.Count > min);
        var mayClaim = mine < min || (mine == min && aboveMin < extra);
        if (!mayClaim)
        {
            return BalanceDecision.None;
        }

        if (free.Count > 0)
        {
            // a session whose owner left (released or lapsed) goes before one never claimed: it was running, and its
            // handover is what a stop or a crash waits for
            var takeable = claimable is null ? free : free.Where(claimable).ToList();
            var handovers = takeable.Where(byKey.ContainsKey).ToList();
            var pool = handovers.Count > 0 ? handovers : takeable;
            if (pool.Count > 0)
            {
                var key = pool[random.Next(pool.Count)];
                byKey.TryGetValue(key, out var observed);
                return new BalanceDecision(BalanceAction.Claim, key, observed, null);
            }

            return BalanceDecision.None; // free sessions wait for their back-off to end: no steal meanwhile
        }

        var victim = owned
            .Where(o => !string.Equals(o.Key, ownerId, StringComparison.Ordinal))
            .OrderByDescending(o => o.Value.Count)
            .ThenBy(o => o.Key, StringComparer.Ordinal)
            .FirstOrDefault();
        if (victim.Value is null || !(victim.Value.Count > min + 1 || (victim.Value.Count == min + 1 && mine < min)))
        {
            return BalanceDecision.None;
        }

        var candidates = claimable is null ? victim.Value : victim.Value.Where(l => claimable(l.SessionKey)).ToList();
        if (candidates.Count == 0)
        {
            return BalanceDecision.None;
        }

        var stolen = candidates[random.Next(candidates.Count)];
        return new BalanceDecision(BalanceAction.Steal, stolen.SessionKey, stolen, victim.Key);
    }
}
