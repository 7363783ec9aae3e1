using System.Text.Json;

namespace Gateway.Client.Benchmarks.Charts;

/// <summary>
/// Where a run's results go: <c>&lt;mode&gt;.json</c> in <see cref="ResultsDirectory"/> (the repository's
/// benchmarks/results unless <c>--results DIR</c>), and the chart drawn from that file in <see cref="ChartsDirectory"/>
/// (docs/charts unless <c>--charts DIR</c>). The chart is drawn from the file just written, as the <c>charts</c> mode
/// draws it, so a committed chart always shows a committed run.
/// </summary>
internal sealed record BenchmarkOutput(string ResultsDirectory, string ChartsDirectory)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The given directories, or the repository's own (found above this program) where none is given.</summary>
    public static BenchmarkOutput From(string? results, string? charts)
    {
        var root = RepositoryRoot();
        return new BenchmarkOutput(
            Path.GetFullPath(results ?? Path.Combine(root, "benchmarks", "results")),
            Path.GetFullPath(charts ?? Path.Combine(root, "docs", "charts")));
    }

    public string ResultsFile(string mode) => Path.Combine(ResultsDirectory, mode + ".json");

    /// <summary>Writes a mode's results, then its chart from them; prints both paths.</summary>
    public void Publish<T>(string mode, T results)
    {
        Save(mode, results);
        Console.WriteLine($"results: {ResultsFile(mode)}");
        Console.WriteLine($"chart:   {BenchmarkCharts.Draw(mode, this)}");
    }

    public void Save<T>(string mode, T results)
    {
        Directory.CreateDirectory(ResultsDirectory);
        File.WriteAllText(ResultsFile(mode), JsonSerializer.Serialize(results, Json) + "\n");
    }

    /// <summary>A mode's results; null when that mode has not written any here.</summary>
    public T? Load<T>(string mode)
        where T : class =>
        File.Exists(ResultsFile(mode))
            ? JsonSerializer.Deserialize<T>(File.ReadAllText(ResultsFile(mode)), Json) ?? throw new InvalidDataException($"{ResultsFile(mode)} holds no results.")
            : null;

    /// <summary>The folder holding GatewayClient.sln above this program; the current folder if there is none.</summary>
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GatewayClient.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
