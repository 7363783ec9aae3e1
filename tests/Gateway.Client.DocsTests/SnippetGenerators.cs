using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Gateway.Client.DocsTests;

/// <summary>
/// The source generators a snippet's compilation runs, as an app's build would: System.Text.Json's (so a block can
/// declare a <c>JsonSerializerContext</c> and use its <c>Default</c>). The project file copies it from the SDK into
/// <c>snippet-generators/</c> beside the tests.
/// </summary>
public static class SnippetGenerators
{
    public const string FolderName = "snippet-generators";

    private static readonly Lazy<ImmutableArray<ISourceGenerator>> Generators = new(Load);

    public static ImmutableArray<ISourceGenerator> All => Generators.Value;

    private static ImmutableArray<ISourceGenerator> Load()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, FolderName);
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.dll") : [];
        var generators = files
            .Order(StringComparer.Ordinal)
            .SelectMany(path => new AnalyzerFileReference(path, AssemblyLoader.Instance).GetGenerators(LanguageNames.CSharp))
            .ToImmutableArray();
        return generators.IsEmpty
            ? throw new InvalidOperationException($"No source generator in {folder}: the project file's CopySnippetGenerators target copies System.Text.Json's there")
            : generators;
    }

    private sealed class AssemblyLoader : IAnalyzerAssemblyLoader
    {
        public static readonly AssemblyLoader Instance = new();

        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }
}
