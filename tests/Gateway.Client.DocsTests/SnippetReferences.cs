using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;

namespace Gateway.Client.DocsTests;

/// <summary>
/// What a snippet is compiled against, loaded once for all blocks: the running test host's trusted platform
/// assemblies (the shared framework and this project's dependencies) and every assembly in the test's output
/// folder (the packages, Microsoft.Extensions.Hosting, OpenTelemetry), except this test assembly itself.
/// </summary>
public static class SnippetReferences
{
    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(Load);

    public static IReadOnlyList<MetadataReference> All => References.Value;

    private static IReadOnlyList<MetadataReference> Load()
    {
        var trustedPlatformAssemblies = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var outputFolder = Directory.GetFiles(AppContext.BaseDirectory, "*.dll");
        var self = Path.GetFileName(typeof(SnippetReferences).Assembly.Location);
        return trustedPlatformAssemblies
            .Concat(outputFolder)
            .DistinctBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Where(path => !string.Equals(Path.GetFileName(path), self, StringComparison.OrdinalIgnoreCase))
            .Where(IsAssembly)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList();
    }

    private static bool IsAssembly(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new PEReader(stream);
            return reader.HasMetadata && reader.GetMetadataReader().IsAssembly;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
