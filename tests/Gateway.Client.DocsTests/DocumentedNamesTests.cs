using System.Reflection;
using Gateway.Client.Sessions;

namespace Gateway.Client.DocsTests;

/// <summary>
/// The lists the docs keep of options, gap reasons and turn outcomes match the code, both ways: a member added to the
/// code without its row, or a row for a member that is gone, fails here.
/// </summary>
public class DocumentedNamesTests
{
    [Fact]
    public void Every_client_option_is_in_the_options_table_and_every_row_is_an_option()
    {
        var inCode = Settable(typeof(GatewayClientOptions))
            .Where(name => name != nameof(GatewayClientOptions.Reconnect))
            .Concat(Settable(typeof(ReconnectOptions)).Select(name => $"{nameof(GatewayClientOptions.Reconnect)}.{name}"));

        AssertSameNames(inCode, MarkdownTables.FirstColumnNames("docs/options.md", "Options"), "docs/options.md");
    }

    [Fact]
    public void Every_gap_reason_is_in_the_gap_reasons_table_and_every_row_is_a_reason()
    {
        AssertSameNames(Enum.GetNames<GapReason>(), MarkdownTables.FirstColumnNames("docs/guarantees.md", "Gap reasons"), "docs/guarantees.md, \"Gap reasons\"");
    }

    [Fact]
    public void Every_turn_outcome_is_in_the_outcomes_table_and_every_row_is_an_outcome()
    {
        AssertSameNames(Enum.GetNames<GatewayTurnStatus>(), MarkdownTables.FirstColumnNames("docs/turns.md", "The updates"), "docs/turns.md, \"The updates\"");
    }

    [Fact]
    public void Every_turn_option_is_in_the_bounds_table_and_every_row_is_an_option()
    {
        AssertSameNames(Settable(typeof(GatewayTurnOptions)), MarkdownTables.FirstColumnNames("docs/turns.md", "Bounds (`GatewayTurnOptions`)"), "docs/turns.md, \"Bounds\"");
    }

    [Fact]
    public void Every_processor_option_is_in_the_options_table_and_every_row_is_an_option()
    {
        AssertSameNames(Settable(typeof(GatewaySessionProcessorOptions)), MarkdownTables.FirstColumnNames("docs/processor.md", "Options"), "docs/processor.md, \"Options\"");
    }

    [Fact]
    public void A_table_s_names_are_the_code_spans_of_its_first_column()
    {
        Assert.Equal(["MinProtocol", "MaxProtocol"], MarkdownTables.FirstColumnNames("docs/options.md", "Options").Where(name => name.EndsWith("Protocol", StringComparison.Ordinal)));
    }

    private static IEnumerable<string> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.SetMethod is { IsPublic: true })
            .Select(property => property.Name);

    private static void AssertSameNames(IEnumerable<string> inCode, IEnumerable<string> inDocs, string where)
    {
        var code = inCode.ToHashSet(StringComparer.Ordinal);
        var docs = inDocs.ToHashSet(StringComparer.Ordinal);
        var undocumented = code.Except(docs).Order().ToList();
        var stale = docs.Except(code).Order().ToList();

        Assert.True(undocumented.Count == 0 && stale.Count == 0,
            $"{where} drifted from the code. Missing rows: [{string.Join(", ", undocumented)}]; rows for nothing in the code: [{string.Join(", ", stale)}].");
    }
}
