using System.Collections;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Diagnostics;

/// <summary>
/// The logger every part of a client writes to: each line is written inside a scope naming the client
/// (<see cref="GatewayClientOptions.Name"/>) and its current session, so several clients' logs in one process
/// can be told apart (a provider with scopes on shows <c>GatewayClient orders session 4f2…</c>).
/// </summary>
internal sealed class ClientLogScope : ILogger
{
    private readonly ILogger _inner;
    private readonly string? _name;
    private readonly Func<string?> _sessionId;

    public ClientLogScope(ILogger inner, string? name, Func<string?> sessionId)
    {
        _inner = inner;
        _name = name;
        _sessionId = sessionId;
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => _inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!_inner.IsEnabled(logLevel))
        {
            return;
        }

        using (_inner.BeginScope(new Scope(_name, _sessionId())))
        {
            _inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }

    /// <summary>Structured (<c>GatewayClientName</c>, <c>GatewaySessionId</c>) and readable as text.</summary>
    private sealed class Scope : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly string? _name;
        private readonly string? _sessionId;

        public Scope(string? name, string? sessionId)
        {
            _name = name;
            _sessionId = sessionId;
        }

        public int Count => 2;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("GatewayClientName", _name),
            1 => new("GatewaySessionId", _sessionId),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
            yield return this[1];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"GatewayClient {_name ?? "(unnamed)"} session {_sessionId ?? "(none)"}";
    }
}
