namespace Gateway.Client.Engine;

/// <summary>Where a numbered event stands against the last accepted number.</summary>
internal enum SequenceVerdict
{
    /// <summary>Exactly the next number.</summary>
    InOrder,

    /// <summary>At or below the last accepted number: drop it.</summary>
    Duplicate,

    /// <summary>Beyond the next number: report the hole, then accept it.</summary>
    Gap,
}
