using Gateway.Client.Sessions;

namespace Gateway.Client.FleetTests;

/// <summary>
/// The store a fleet shares: what each worker is told (<paramref name="Kind"/> <c>redis</c> or <c>postgres</c>, the
/// <paramref name="Connection"/>, and the <paramref name="Namespace"/>: a Redis key prefix or a PostgreSQL schema no other
/// test uses), and the test's own <paramref name="View"/> of it, to read the leases.
/// </summary>
internal sealed record FleetStore(string Kind, string Connection, string Namespace, ISessionStore View);
