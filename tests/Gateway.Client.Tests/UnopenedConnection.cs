using System.Net.WebSockets;
using Gateway.Client.Dialects;
using Gateway.Client.Engine;

namespace Gateway.Client.Tests;

/// <summary>A connection's owner around a socket that was never opened: for tests of what holds or feeds a connection, without a network.</summary>
internal static class UnopenedConnection
{
    public static LiveConnection Live(IDialect dialect, InboundPipeline pipeline, GatewayClientOptions options, long serverCursor = 0, int protocol = 2, IDialectConnection? frames = null)
    {
        var session = new GatewaySession("s1", protocol, isLegacyHandshake: false, resumed: serverCursor > 0, serverCursor, epoch: null, oldestSequence: null, GatewayFeatures.None, GatewayPolicy.None, snapshot: null);
        return new LiveConnection(Connection.Wrap(new ClientWebSocket(), dialect, options), session, frames ?? dialect.BeginConnection(), pipeline);
    }
}
