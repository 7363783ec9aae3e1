using System.Text.Json.Serialization;

namespace Gateway.Client.Tests;

/// <summary>An app's own source-generated context, as a user would write it (the project runs the trimming analyzers).</summary>
[JsonSerializable(typeof(SumRequest))]
[JsonSerializable(typeof(SumResult))]
[JsonSerializable(typeof(NoteFrame))]
[JsonSerializable(typeof(Counted))]
[JsonSerializable(typeof(int[]))]
public sealed partial class AppJsonContext : JsonSerializerContext
{
}

public sealed record SumRequest([property: JsonPropertyName("a")] int A, [property: JsonPropertyName("b")] int B);

public sealed record SumResult([property: JsonPropertyName("total")] int Total);

public sealed record NoteFrame([property: JsonPropertyName("type")] string Type, [property: JsonPropertyName("text")] string Text);

public sealed record Counted([property: JsonPropertyName("n")] int N);
