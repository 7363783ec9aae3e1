using System.Globalization;
using System.Xml.Linq;

namespace Gateway.Client.Benchmarks.Tests;

/// <summary>A drawn chart read back as XML (which fails if it is not well-formed), with the marks the tests look at.</summary>
internal sealed class SvgDocument
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private readonly XElement _root;

    public SvgDocument(string svg)
    {
        _root = XDocument.Parse(svg).Root!;
        Assert.Equal(Svg + "svg", _root.Name);
    }

    public IReadOnlyList<XElement> Elements(string name, string cssClass) =>
        _root.Descendants(Svg + name).Where(e => (string?)e.Attribute("class") == cssClass).ToList();

    public XElement Bar(string cssClass, string kind) => Elements("rect", cssClass).Single(e => (string?)e.Attribute("data-kind") == kind);

    public IReadOnlyList<string> Texts => _root.Descendants(Svg + "text").Select(e => e.Value).ToList();

    public static double Number(XElement element, string attribute) => double.Parse((string)element.Attribute(attribute)!, CultureInfo.InvariantCulture);
}
