using Microsoft.Extensions.Logging;

namespace GatewayTail;

/// <summary>
/// The client library's logs for <c>-v</c>: one line each on stderr (through the status line, so the two never mix),
/// from <paramref name="minimum"/> up. A logger factory of its own, so the native binary takes no logging package.
/// </summary>
internal sealed class StderrLoggerFactory(LogLevel minimum, Action<string> writeLine, AnsiPalette palette) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new StderrLogger(minimum, writeLine, palette);

    /// <summary>Providers are not used: every logger writes to stderr.</summary>
    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class StderrLogger(LogLevel minimum, Action<string> writeLine, AnsiPalette palette) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null; // one client per process: its name and session add nothing

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = $"{palette.Level(logLevel, Name(logLevel))}: {formatter(state, exception)}";
            if (exception is not null)
            {
                line += $" ({exception.GetType().Name}: {exception.Message})";
            }

            writeLine(line);
        }

        // The console logger's short names, so the lines read as any .NET app's.
        private static string Name(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
    }
}
