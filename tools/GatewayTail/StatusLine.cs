namespace GatewayTail;

/// <summary>
/// The stderr side: whole lines (state changes, gaps, errors) and, on a terminal, one status line kept
/// at the bottom and redrawn in place. Lines never interleave with it: it is cleared first.
/// </summary>
internal sealed class StatusLine : IDisposable
{
    private readonly TextWriter _stderr;
    private readonly bool _live;
    private readonly object _gate = new();
    private readonly Timer? _redraw;
    private Func<string>? _status;
    private bool _drawn;

    public StatusLine(TextWriter stderr, bool live)
    {
        _stderr = stderr;
        _live = live;
        if (live)
        {
            _redraw = new Timer(_ => Draw(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>What the status line shows; read on every redraw.</summary>
    public void Track(Func<string> status) => _status = status;

    public void Line(string text)
    {
        lock (_gate)
        {
            Clear();
            _stderr.WriteLine(text);
            _stderr.Flush();
        }
    }

    public void Dispose()
    {
        _redraw?.Dispose();
        lock (_gate)
        {
            Clear();
            _stderr.Flush();
        }
    }

    private void Draw()
    {
        if (_status is not { } status)
        {
            return;
        }

        lock (_gate)
        {
            _stderr.Write("\r\u001b[2K" + status());
            _stderr.Flush();
            _drawn = true;
        }
    }

    private void Clear()
    {
        if (_live && _drawn)
        {
            _stderr.Write("\r\u001b[2K");
            _drawn = false;
        }
    }
}
