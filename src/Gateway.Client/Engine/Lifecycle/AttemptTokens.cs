using Gateway.Client.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Engine;

/// <summary>
/// The tokens of a client's attempts: the app's provider is asked before every attempt (its failure is a
/// typed, retryable <see cref="GatewayAuthenticationException"/>), and after a refusal of credentials it
/// is asked whether the token changed, the answer kept for the next attempt. An answer that arrives after
/// its run was abandoned (a provider that ignored its token) changes nothing. Used by the run loop only.
/// </summary>
internal sealed class AttemptTokens
{
    private readonly Func<CancellationToken, ValueTask<string?>>? _provider;
    private readonly ILogger _logger;
    private string? _lastUsed;
    private Prefetched? _prefetched;

    public AttemptTokens(Func<CancellationToken, ValueTask<string?>>? provider, ILogger logger)
    {
        _provider = provider;
        _logger = logger;
    }

    /// <summary>The token for the next attempt: the one fetched by <see cref="ChangedAsync"/>, else the provider's answer now.</summary>
    public async ValueTask<string?> ForAttemptAsync(CancellationToken cancellationToken)
    {
        var token = _prefetched is { } prefetched ? prefetched.Token : await AskAsync(cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested(); // an abandoned run's late answer
        _prefetched = null;
        _lastUsed = token;
        return token;
    }

    /// <summary>Asks the provider again; a different token is worth one more attempt (it is kept for it).</summary>
    public async ValueTask<bool> ChangedAsync(CancellationToken cancellationToken)
    {
        if (_provider is null)
        {
            return false;
        }

        string? fresh;
        try
        {
            fresh = await _provider(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whether the token changed is unknown: the next attempt asks again, and fails typed if the provider still fails.
            Log.TokenProviderFailed(_logger, ex);
            return true;
        }

        // A provider that ignored its token may return after its run was abandoned, while the next run
        // uses these tokens: a stale answer must not overwrite that run's.
        cancellationToken.ThrowIfCancellationRequested();
        _prefetched = new Prefetched(fresh);
        return !string.Equals(fresh, _lastUsed, StringComparison.Ordinal);
    }

    private async ValueTask<string?> AskAsync(CancellationToken cancellationToken)
    {
        if (_provider is null)
        {
            return null;
        }

        try
        {
            return await _provider(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new GatewayAuthenticationException($"The token provider failed: {ex.GetType().Name}: {ex.Message}", ex);
        }
    }

    private sealed record Prefetched(string? Token);
}
