namespace Gateway.Client;

/// <summary>An inclusive range of protocol versions.</summary>
/// <param name="Min">The lowest supported version.</param>
/// <param name="Max">The highest supported version.</param>
public readonly record struct ProtocolRange(int Min, int Max)
{
    /// <summary>Whether <paramref name="version"/> lies in the range.</summary>
    public bool Contains(int version) => version >= Min && version <= Max;

    /// <inheritdoc />
    public override string ToString() => Min == Max ? Min.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Min}..{Max}";
}
