namespace Dashboard;

/// <summary>One connection state change: the reconnect attempts are the rows with an attempt number.</summary>
public sealed record StateRow(ConnectionState Previous, ConnectionState Current, int Attempt, string Text)
{
    /// <summary>The row for <paramref name="change"/>.</summary>
    public static StateRow From(ConnectionStateChangedEventArgs change) => new(change.Previous, change.Current, change.Attempt, change.ToString());
}
