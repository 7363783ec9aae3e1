using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Gateway.Client.DocsTests;

/// <summary>
/// Compiles one documentation block in-process, as a program with top-level statements (or as a library when it has
/// no statements), and returns its errors. Warnings never count: a snippet may leave a variable unused.
/// </summary>
public static class SnippetCompiler
{
    /// <summary>
    /// The using directives every block has without writing them: the SDK's implicit usings of an app (a worker's,
    /// so hosting and DI too), System.Text.Json's namespaces and the client's root namespace. Anything else (a
    /// dialect's namespace, Gateway.Client.Testing, ...) the block writes itself, as a reader's code must.
    /// </summary>
    public static readonly IReadOnlyList<string> GlobalUsings =
    [
        "System",
        "System.Collections.Generic",
        "System.IO",
        "System.Linq",
        "System.Net.Http",
        "System.Threading",
        "System.Threading.Tasks",
        "System.Text.Json",
        "System.Text.Json.Nodes",
        "System.Text.Json.Serialization",
        "Microsoft.Extensions.Configuration",
        "Microsoft.Extensions.DependencyInjection",
        "Microsoft.Extensions.Hosting",
        "Microsoft.Extensions.Logging",
        "Gateway.Client",
    ];

    private static readonly Lazy<CSharpCompilation> Program = new(() => Create(OutputKind.ConsoleApplication));
    private static readonly Lazy<CSharpCompilation> Library = new(() => Create(OutputKind.DynamicallyLinkedLibrary));

    public static IReadOnlyList<string> Errors(DocumentationCodeBlock block)
    {
        var (compilation, generatorDiagnostics) = Compile(block);
        return generatorDiagnostics
            .Concat(compilation.GetDiagnostics())
            .Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error)
            .Select(Describe)
            .Distinct()
            .ToList();
    }

    /// <summary>Compiles <paramref name="block"/> into an assembly's bytes; throws with the errors when it does not compile.</summary>
    public static byte[] Emit(DocumentationCodeBlock block)
    {
        var (compilation, generatorDiagnostics) = Compile(block);
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var errors = generatorDiagnostics.Concat(result.Diagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).Select(Describe).Distinct().ToList();
        if (!result.Success || errors.Count > 0)
        {
            throw new InvalidOperationException($"The ```csharp block at {block.Id} does not compile:\n{string.Join("\n", errors)}");
        }

        return image.ToArray();
    }

    private static (Compilation Compilation, IReadOnlyList<Diagnostic> GeneratorDiagnostics) Compile(DocumentationCodeBlock block)
    {
        var trees = SnippetSource.Build(block);
        var hasStatements = trees.Any(tree => tree.GetCompilationUnitRoot().Members.Any(member => member is GlobalStatementSyntax));
        var compilation = (hasStatements ? Program : Library).Value.AddSyntaxTrees(trees);
        CSharpGeneratorDriver
            .Create(SnippetGenerators.All, parseOptions: SnippetSource.ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var generated, out var generatorDiagnostics);
        return (generated, generatorDiagnostics);
    }

    private static CSharpCompilation Create(OutputKind kind)
    {
        var globalUsings = string.Concat(GlobalUsings.Select(name => $"global using global::{name};\n"));
        return CSharpCompilation.Create(
            "Snippet",
            [CSharpSyntaxTree.ParseText(globalUsings, SnippetSource.ParseOptions, "GlobalUsings.g.cs")],
            SnippetReferences.All,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable, concurrentBuild: false, deterministic: true));
    }

    private static string Describe(Diagnostic diagnostic)
    {
        var where = diagnostic.Location.GetMappedLineSpan();
        var position = where.IsValid ? $"{where.Path}:{where.StartLinePosition.Line + 1}:{where.StartLinePosition.Character + 1}: " : "";
        return $"{position}error {diagnostic.Id}: {diagnostic.GetMessage(CultureInfo.InvariantCulture)}";
    }
}
