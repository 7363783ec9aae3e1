using System.Net;
using System.Net.Sockets;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// A test that needs this machine's resolver to say that a name in the reserved <c>.invalid</c> top-level domain
/// (RFC 6761) does not exist. Skipped, with the reason, where no resolver answers at all, or where one claims the
/// name exists (connecting there would leave the machine).
/// </summary>
public sealed class ResolverFactAttribute : FactAttribute
{
    public const string UnresolvableHost = "gateway.invalid";

    public ResolverFactAttribute()
    {
        try
        {
            var addresses = Dns.GetHostAddresses(UnresolvableHost);
            Skip = $"This machine's resolver claims {UnresolvableHost} exists ({string.Join(", ", addresses.Select(a => a.ToString()))}): connecting there would leave the machine.";
        }
        catch (SocketException ex) when (ex.SocketErrorCode != SocketError.HostNotFound)
        {
            Skip = $"No resolver answers on this machine: resolving {UnresolvableHost} failed with {ex.SocketErrorCode} ({ex.Message}).";
        }
        catch (SocketException)
        {
            // Host not found: what the test needs.
        }
    }
}
