namespace Gateway.Client.Benchmarks;

/// <summary>The scripts the browser run puts in the dashboard page; every time is the page's own clock (navigation start = 0).</summary>
internal static class DashboardProbes
{
    /// <summary>
    /// Runs before the page's own scripts: notes when the app first rendered, when it first showed Connected and when the
    /// first event row entered the page (the frame that follows paints it), in <c>window.__dashboardMarks</c>.
    /// </summary>
    public const string Milestones = """
        (() => {
          const marks = {};
          window.__dashboardMarks = marks;
          const observer = new MutationObserver(() => {
            const now = performance.now();
            if (marks.rendered === undefined && document.querySelector('h1')) marks.rendered = now;
            const state = document.querySelector('[data-testid=state]');
            if (marks.connected === undefined && state && state.textContent === 'Connected') marks.connected = now;
            if (marks.firstEvent === undefined && document.querySelector('[data-testid=events] li')) {
              marks.firstEvent = now;
              observer.disconnect();
            }
          });
          observer.observe(document, { childList: true, subtree: true, characterData: true });
        })();
        """;

    public const string FirstEventShown = "() => window.__dashboardMarks && window.__dashboardMarks.firstEvent !== undefined";

    public const string ConnectedShown = "() => window.__dashboardMarks && window.__dashboardMarks.connected !== undefined";

    public const string Marks = "() => window.__dashboardMarks";

    /// <summary>What the page loaded, from the Resource Timing API: bytes on the wire (headers too), bodies as sent and as decoded.</summary>
    public const string Downloads = """
        () => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map(e => ({
          url: e.name, transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize }))
        """;

    /// <summary>
    /// Counts requestAnimationFrame callbacks for the given milliseconds: frames, the time they spanned, each gap between
    /// two frames, and the main thread's long tasks (over 50 ms) meanwhile.
    /// </summary>
    public const string Frames = """
        async (ms) => {
          const longTasks = [];
          const observer = new PerformanceObserver(list => list.getEntries().forEach(e => longTasks.push(e.duration)));
          observer.observe({ type: 'longtask' });
          const gaps = [];
          let first, last;
          await new Promise(resolve => {
            const frame = t => {
              if (first === undefined) { first = t; } else { gaps.push(t - last); }
              last = t;
              if (t - first < ms) requestAnimationFrame(frame); else resolve();
            };
            requestAnimationFrame(frame);
          });
          observer.disconnect();
          return { elapsed: last - first, gaps, longTasks };
        }
        """;

    /// <summary>What the page shows of its stream: the events' total, the newest sequence, and the client's counters.</summary>
    public const string Shown = """
        () => {
          const stat = name => Number(document.querySelector(`[data-stat=${name}]`)?.textContent ?? -1);
          const total = (document.querySelector('[data-testid=events] small')?.textContent ?? '').match(/\((\d+) received/);
          return {
            shown: total ? Number(total[1]) : -1,
            newest: Number(document.querySelector('[data-testid=events] li')?.dataset.sequence ?? -1),
            received: stat('received'), delivered: stat('delivered'), dropped: stat('dropped'), repeated: stat('repeated'),
          };
        }
        """;
}
