using System.Net.WebSockets;
using Gateway.Client.Dialects;
using Gateway.Client.Wire;

namespace Gateway.Client.Engine;

/// <summary>
/// How the client ends a connection on purpose: it says goodbye in the dialect's words where it has
/// any, starts the close handshake, and never waits past its bound.
/// </summary>
internal static class PoliteClose
{
    /// <summary>Closes a connection politely, then tears it down; the run loop resumes on a new one (a drain, a resync).</summary>
    public static async Task RetireAsync(Connection connection, string reason)
    {
        await connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason).ConfigureAwait(false);
        connection.Abort();
    }

    /// <summary>
    /// The client is disconnecting: the dialect's leave frame (if it has one), then the close handshake,
    /// the send bounded by <paramref name="deadline"/>. A gateway that stopped reading gets the
    /// connection aborted by the send's bound.
    /// </summary>
    public static async Task LeaveAsync(Connection connection, IDialect dialect, DateTimeOffset deadline)
    {
        try
        {
            using var leave = new PooledBufferWriter(32);
            if (dialect.WriteLeave(leave))
            {
                await connection.SendAsync(leave.WrittenMemory, deadline, connection.Lifetime).ConfigureAwait(false);
            }

            await connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client disconnect").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is GatewayConnectionException or ConnectionNotOpenException or OperationCanceledException or TimeoutException)
        {
            // Already broken or closing: nothing polite left to say.
        }
    }
}
