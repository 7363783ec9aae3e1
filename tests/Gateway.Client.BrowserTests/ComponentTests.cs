using Bunit;
using Dashboard;
using Dashboard.Components;

namespace Gateway.Client.BrowserTests;

/// <summary>The dashboard's components under bunit: each renders what it is given, without a browser or a gateway.</summary>
public sealed class ComponentTests : IDisposable
{
    private readonly BunitContext _context = new();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void The_connection_panel_shows_the_state_and_counts_the_reconnect_attempts()
    {
        StateRow[] changes =
        [
            new(ConnectionState.Reconnecting, ConnectionState.Connected, 0, "Reconnecting -> Connected"),
            new(ConnectionState.Reconnecting, ConnectionState.Reconnecting, 2, "Reconnecting -> Reconnecting (attempt 2)"),
            new(ConnectionState.Connected, ConnectionState.Reconnecting, 1, "Connected -> Reconnecting (attempt 1)"),
            new(ConnectionState.Connecting, ConnectionState.Connected, 0, "Connecting -> Connected"),
            new(ConnectionState.Disconnected, ConnectionState.Connecting, 1, "Disconnected -> Connecting (attempt 1)"),
        ];

        var panel = _context.Render<ConnectionPanel>(p => p.Add(c => c.State, ConnectionState.Connected).Add(c => c.Changes, changes));

        Assert.Equal("Connected", panel.Find("[data-testid=state]").TextContent);
        Assert.Equal("2", panel.Find("[data-testid=attempts]").TextContent);
        Assert.Equal(changes.Select(c => c.Text), panel.FindAll("[data-testid=state-changes] li").Select(li => li.TextContent));
    }

    [Fact]
    public void The_event_list_marks_replayed_events()
    {
        EventRow[] events = [new(2, "notification", true, "while away"), new(1, "notification", false, "hello")];

        var list = _context.Render<EventList>(p => p.Add(c => c.Events, events).Add(c => c.Total, 2));

        var rows = list.FindAll("li");
        Assert.Equal(["2", "1"], rows.Select(r => r.GetAttribute("data-sequence")));
        Assert.Equal(["true", "false"], rows.Select(r => r.GetAttribute("data-replay")));
        Assert.Contains("(replayed): while away", rows[0].TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("replayed", rows[1].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_gap_list_says_none_until_a_gap_and_then_lists_it()
    {
        var empty = _context.Render<GapList>();
        Assert.NotNull(empty.Find("[data-testid=no-gaps]"));

        var gap = GapRow.From(GatewayModelFactory.GapInfo(6, 10, GapReason.ReplayWindowExceeded));
        var list = _context.Render<GapList>(p => p.Add(c => c.Gaps, [gap]));

        var row = list.Find("li");
        Assert.Equal("ReplayWindowExceeded", row.GetAttribute("data-reason"));
        Assert.Equal("6", row.GetAttribute("data-expected"));
        Assert.Equal("10", row.GetAttribute("data-received"));
        Assert.Empty(list.FindAll("[data-testid=no-gaps]"));
    }

    [Fact]
    public void The_statistics_panel_shows_the_clients_counters()
    {
        var statistics = GatewayModelFactory.GatewayClientStatistics(connections: 2, reconnects: 1, eventsReceived: 8, eventsReplayed: 3, eventsDelivered: 8, gaps: 1);

        var panel = _context.Render<StatisticsPanel>(p => p.Add(c => c.Statistics, statistics).Add(c => c.RepeatedSequences, 0));

        Assert.Equal("2", panel.Find("[data-stat=connections]").TextContent);
        Assert.Equal("1", panel.Find("[data-stat=reconnects]").TextContent);
        Assert.Equal("3", panel.Find("[data-stat=replayed]").TextContent);
        Assert.Equal("8", panel.Find("[data-stat=delivered]").TextContent);
        Assert.Equal("1", panel.Find("[data-stat=gaps]").TextContent);
        Assert.Equal("0", panel.Find("[data-stat=repeated]").TextContent);
    }

    [Fact]
    public void The_demo_buttons_run_their_action_and_show_a_failure()
    {
        var actions = new List<string>();
        var controls = _context.Render<DemoControls>(p => p.Add(c => c.Enabled, true).Add(c => c.OnAction, action =>
        {
            actions.Add(action);
            return action == "gap" ? Task.FromException(new HttpRequestException("503")) : Task.CompletedTask;
        }));

        controls.Find("[data-testid=drop]").Click();
        controls.Find("[data-testid=gap]").Click();

        Assert.Equal(["drop", "gap"], actions);
        Assert.Equal("gap failed: 503", controls.Find("[data-testid=control-error]").TextContent);
    }

    [Fact]
    public void Against_a_real_gateway_there_are_no_demo_buttons()
    {
        var controls = _context.Render<DemoControls>(p => p.Add(c => c.Enabled, false).Add(c => c.OnAction, _ => Task.CompletedTask));

        Assert.Empty(controls.FindAll("button"));
    }

    [Fact]
    public void The_bounded_list_keeps_the_newest_first_and_counts_all()
    {
        var list = new BoundedList<int>(3);
        for (var i = 1; i <= 5; i++)
        {
            list.Add(i);
        }

        Assert.Equal([5, 4, 3], list.Snapshot());
        Assert.Equal(5, list.Added);
    }
}
