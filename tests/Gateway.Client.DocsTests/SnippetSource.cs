using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Gateway.Client.DocsTests;

/// <summary>
/// Turns a block and its prelude into the C# files the compiler sees, with <c>#line</c> directives so that every
/// diagnostic names the Markdown file and line it comes from.
/// </summary>
/// <remarks>
/// The program file is: the prelude's using directives, the block's, the prelude's statements (its variables and
/// local functions), then the rest of the block as written. The prelude's type declarations go to a file of their
/// own, since types may not precede top-level statements. The block itself is never reordered: it has to be valid
/// as a Program.cs of its own.
/// </remarks>
public static class SnippetSource
{
    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    public static IReadOnlyList<SyntaxTree> Build(DocumentationCodeBlock block)
    {
        var prelude = block.Annotation is { IsSkip: false } annotation
            ? new Piece(annotation.Prelude, annotation.TextLine)
            : new Piece("", block.Line);
        var code = new Piece(block.Code, block.FirstCodeLine);
        var preludeRoot = prelude.Parse();
        var codeRoot = code.Parse();

        var program = new StringBuilder();
        prelude.AppendHeader(program, preludeRoot, block.File);
        code.AppendHeader(program, codeRoot, block.File);
        foreach (var statement in preludeRoot.Members.OfType<GlobalStatementSyntax>())
        {
            prelude.AppendSlice(program, statement.FullSpan.Start, statement.FullSpan.End, block.File);
        }

        code.AppendSlice(program, HeaderEnd(codeRoot), block.Code.Length, block.File);
        var trees = new List<SyntaxTree> { Tree(program, block.File + ".cs") };

        var preludeTypes = preludeRoot.Members.Where(member => member is not GlobalStatementSyntax).ToList();
        if (preludeTypes.Count > 0)
        {
            var types = new StringBuilder();
            prelude.AppendHeader(types, preludeRoot, block.File);
            foreach (var type in preludeTypes)
            {
                prelude.AppendSlice(types, type.FullSpan.Start, type.FullSpan.End, block.File);
            }

            trees.Add(Tree(types, block.File + ".prelude.cs"));
        }

        return trees;
    }

    private static SyntaxTree Tree(StringBuilder source, string path) =>
        CSharpSyntaxTree.ParseText(source.ToString(), ParseOptions, path, Encoding.UTF8);

    /// <summary>Where the using directives, extern aliases and assembly attributes at the top of a file end.</summary>
    private static int HeaderEnd(CompilationUnitSyntax root)
    {
        var header = root.Externs.Cast<SyntaxNode>().Concat(root.Usings).Concat(root.AttributeLists).ToList();
        return header.Count == 0 ? 0 : header.Max(node => node.FullSpan.End);
    }

    /// <summary>C# text that starts on a known line of a Markdown file.</summary>
    private sealed record Piece(string Text, int FirstLine)
    {
        public CompilationUnitSyntax Parse() => CSharpSyntaxTree.ParseText(Text, ParseOptions).GetCompilationUnitRoot();

        public void AppendHeader(StringBuilder source, CompilationUnitSyntax root, string file) =>
            AppendSlice(source, 0, HeaderEnd(root), file);

        public void AppendSlice(StringBuilder source, int start, int end, string file)
        {
            if (start >= end)
            {
                return;
            }

            var line = FirstLine + Text.AsSpan(0, start).Count('\n');
            source.Append("#line ").Append(line).Append(" \"").Append(file).Append("\"\n");
            source.Append(Text, start, end - start);
            if (source[^1] != '\n')
            {
                source.Append('\n');
            }
        }
    }
}
