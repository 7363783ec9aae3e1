using Gateway.Client.Sessions;

namespace Gateway.Client.SessionTests;

public class SessionBalancerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static string[] Keys(int count) => Enumerable.Range(0, count).Select(i => $"s{i:00}").ToArray();

    private static SessionLease Live(string key, string owner, long token = 1) => new(key, owner, token, Now.AddSeconds(30), "v1");

    /// <summary>Runs the cycle round-robin for every owner, applying each decision to the table, until nobody moves.</summary>
    private static Dictionary<string, SessionLease> Converge(string[] keys, string[] owners, Dictionary<string, SessionLease>? start = null, int maxRounds = 200)
    {
        var table = start ?? new Dictionary<string, SessionLease>(StringComparer.Ordinal);
        var random = new Random(7);
        for (var round = 0; round < maxRounds; round++)
        {
            var moved = false;
            foreach (var owner in owners)
            {
                var decision = SessionBalancer.Decide(owner, keys, table.Values.ToList(), Now, random);
                if (decision.Action != BalanceAction.None)
                {
                    moved = true;
                    var token = table.TryGetValue(decision.SessionKey!, out var old) ? old.Token + 1 : 1;
                    table[decision.SessionKey!] = Live(decision.SessionKey!, owner, token);
                }
            }

            if (!moved)
            {
                return table;
            }
        }

        throw new InvalidOperationException("did not converge");
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 10)]
    [InlineData(3, 10)]
    [InlineData(4, 10)]
    [InlineData(4, 3)]
    [InlineData(3, 40)]
    public void Owners_converge_to_a_fair_share_with_everyone_at_min_or_min_plus_one(int ownerCount, int sessionCount)
    {
        var keys = Keys(sessionCount);
        var owners = Enumerable.Range(0, ownerCount).Select(i => $"w{i}").ToArray();

        var table = Converge(keys, owners);

        Assert.Equal(sessionCount, table.Count);
        var counts = owners.Select(o => table.Values.Count(l => l.OwnerId == o)).ToArray();
        var min = sessionCount / ownerCount;
        Assert.All(counts, c => Assert.InRange(c, min, min + 1));
        Assert.Equal(sessionCount % ownerCount, counts.Count(c => c == min + 1));
    }

    [Fact]
    public void A_new_owner_takes_its_share_by_stealing_from_the_others()
    {
        var keys = Keys(12);
        var table = Converge(keys, ["w0", "w1", "w2"]);

        table = Converge(keys, ["w0", "w1", "w2", "w3"], table);

        Assert.All(new[] { "w0", "w1", "w2", "w3" }, o => Assert.Equal(3, table.Values.Count(l => l.OwnerId == o)));
    }

    [Fact]
    public void Claims_one_session_per_cycle()
    {
        var decision = SessionBalancer.Decide("me", Keys(10), [], Now, new Random(1));

        Assert.Equal(BalanceAction.Claim, decision.Action);
        Assert.NotNull(decision.SessionKey);
        Assert.Null(decision.Observed);
    }

    [Fact]
    public void Claims_a_free_session_before_stealing()
    {
        // other holds 4 of 5 (above min + 1 = 3 for two owners), one is released, one lapsed: free ones come first.
        var keys = Keys(6);
        var leases = new List<SessionLease>
        {
            Live("s00", "other"), Live("s01", "other"), Live("s02", "other"), Live("s03", "other"),
            new("s04", string.Empty, 3, Now.AddSeconds(30), "v2"),
            new("s05", "gone", 2, Now.AddSeconds(-1), "v3"),
        };

        for (var seed = 0; seed < 20; seed++)
        {
            var decision = SessionBalancer.Decide("me", keys, leases, Now, new Random(seed));
            Assert.Equal(BalanceAction.Claim, decision.Action);
            Assert.Contains(decision.SessionKey, new[] { "s04", "s05" });
            Assert.Same(leases.Single(l => l.SessionKey == decision.SessionKey), decision.Observed);
        }
    }

    [Fact]
    public void A_session_whose_owner_left_is_claimed_before_one_never_claimed()
    {
        var keys = Keys(4); // s00 and s01 never claimed; s02 released, s03 lapsed
        var leases = new List<SessionLease>
        {
            new("s02", string.Empty, 3, Now.AddSeconds(30), "v2"),
            new("s03", "gone", 2, Now.AddSeconds(-1), "v3"),
        };

        for (var seed = 0; seed < 20; seed++)
        {
            var decision = SessionBalancer.Decide("me", keys, leases, Now, new Random(seed));
            Assert.Equal(BalanceAction.Claim, decision.Action);
            Assert.Contains(decision.SessionKey, new[] { "s02", "s03" });
            Assert.NotNull(decision.Observed);
        }
    }

    [Fact]
    public void Steals_from_the_most_loaded_owner_with_the_observed_lease()
    {
        // 9 sessions, 3 owners (min 3): a holds 2, b holds 6, me 1 (none free). I steal from b, never from a.
        var keys = Keys(9);
        var leases = new List<SessionLease> { Live("s00", "a"), Live("s01", "a"), Live("s02", "me") };
        leases.AddRange(keys.Skip(3).Select(k => Live(k, "b")));

        for (var seed = 0; seed < 20; seed++)
        {
            var decision = SessionBalancer.Decide("me", keys, leases, Now, new Random(seed));
            Assert.Equal(BalanceAction.Steal, decision.Action);
            Assert.Equal("b", decision.FromOwner);
            Assert.Equal("b", decision.Observed!.OwnerId);
            Assert.Equal(decision.SessionKey, decision.Observed.SessionKey);
        }
    }

    [Fact]
    public void Does_not_steal_when_the_split_is_already_min_or_min_plus_one()
    {
        // 5 sessions, 2 owners: other 3, me 2: fair; no ping-pong.
        var keys = Keys(5);
        var leases = keys.Select((k, i) => Live(k, i < 3 ? "other" : "me")).ToList();

        Assert.Equal(BalanceAction.None, SessionBalancer.Decide("me", keys, leases, Now, new Random(1)).Action);
        Assert.Equal(BalanceAction.None, SessionBalancer.Decide("other", keys, leases, Now, new Random(1)).Action);
    }

    [Fact]
    public void An_owner_at_its_share_claims_nothing_even_when_sessions_are_free()
    {
        // 4 sessions, 2 live owners; me already holds 2 (min, extra 0): a free one is left for the other.
        var keys = Keys(4);
        var leases = new List<SessionLease> { Live("s00", "me"), Live("s01", "me"), Live("s02", "other") };

        Assert.Equal(BalanceAction.None, SessionBalancer.Decide("me", keys, leases, Now, new Random(1)).Action);
        Assert.Equal("s03", SessionBalancer.Decide("other", keys, leases, Now, new Random(1)).SessionKey);
    }

    [Fact]
    public void Leases_of_sessions_outside_the_set_and_lapsed_owners_do_not_count()
    {
        // a lapsed owner is not active: 2 sessions, me alone → I may claim both; a stray lease of "x" is ignored.
        var keys = Keys(2);
        var leases = new List<SessionLease> { new("s00", "dead", 4, Now, "v"), Live("x", "stray"), Live("s01", "me") };

        var decision = SessionBalancer.Decide("me", keys, leases, Now, new Random(1));

        Assert.Equal(BalanceAction.Claim, decision.Action);
        Assert.Equal("s00", decision.SessionKey);
    }
}
