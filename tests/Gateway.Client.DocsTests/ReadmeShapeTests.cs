namespace Gateway.Client.DocsTests;

/// <summary>The README stays an overview that fits on a screen: its facts live in docs/ (docs/architecture.md).</summary>
public class ReadmeShapeTests
{
    private static readonly string[] Readme = File.ReadAllLines(Path.Combine(DocumentationFiles.RepositoryRoot, "README.md"));

    [Fact]
    public void The_readme_has_at_most_200_lines()
    {
        Assert.True(Readme.Length <= 200, $"README.md has {Readme.Length} lines; move detail to docs/ and link it.");
    }

    [Fact]
    public void The_readme_draws_the_state_machine_a_resume_a_turn_and_a_handover()
    {
        Assert.Equal(4, Readme.Count(line => line.Trim() == "```mermaid"));
    }

    [Fact]
    public void The_concepts_table_defines_each_word_before_the_pictures_use_it()
    {
        string[] words = ["session", "sequence", "epoch", "resume point", "replay", "gap", "resync", "dialect", "turn"];
        var concepts = Array.FindIndex(Readme, line => line == "## Concepts");
        var pictures = Array.FindIndex(Readme, line => line.Trim() == "```mermaid");

        Assert.InRange(concepts, 0, pictures);
        Assert.All(words, word => Assert.Contains(Readme[concepts..pictures], line => line.StartsWith($"| **{word}** |", StringComparison.Ordinal)));
    }
}
