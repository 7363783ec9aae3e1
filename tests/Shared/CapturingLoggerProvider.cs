using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.TestSupport;

/// <summary>Captures every log line (message, exception, the scopes around it) at every level, for assertions.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();
    private readonly AsyncLocal<ImmutableScopes?> _scopes = new();

    public IReadOnlyList<CapturedLog> Entries => _entries.ToArray();

    /// <summary>Everything captured, as one text: messages, exception types, messages and stack traces.</summary>
    public string AllText => string.Join("\n", _entries.Select(e => $"{e.Level} {e.EventId} {e.Message} {e.Exception}"));

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            var outer = owner._scopes.Value;
            owner._scopes.Value = new ImmutableScopes(state.ToString() ?? string.Empty, outer);
            return new ScopeEnd(owner, outer);
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : string.Empty;
            var scopes = new List<string>();
            for (var scope = owner._scopes.Value; scope is not null; scope = scope.Outer)
            {
                scopes.Add(scope.Text);
            }

            owner._entries.Enqueue(new CapturedLog(logLevel, eventId.Id, formatter(state, exception) + " {" + structured + "}", exception) { Scopes = scopes });
        }
    }

    private sealed record ImmutableScopes(string Text, ImmutableScopes? Outer);

    private sealed class ScopeEnd(CapturingLoggerProvider owner, ImmutableScopes? outer) : IDisposable
    {
        public void Dispose() => owner._scopes.Value = outer;
    }
}

public sealed record CapturedLog(LogLevel Level, int EventId, string Message, Exception? Exception)
{
    /// <summary>The scopes the line was written in, innermost first (their ToString()).</summary>
    public IReadOnlyList<string> Scopes { get; init; } = Array.Empty<string>();
}
