namespace Dashboard;

/// <summary>One event as the dashboard lists it.</summary>
public sealed record EventRow(long? Sequence, string Type, bool IsReplay, string Text);
