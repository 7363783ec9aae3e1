using Xunit.Abstractions;

namespace Gateway.Client.DocsTests;

/// <summary>
/// A test case's argument naming a block (<c>README.md:50</c>). A string argument would be cut to 50 characters in
/// the test's name, which hides the line of a package README's block; this one shows in full.
/// </summary>
public sealed class CodeBlockId : IXunitSerializable
{
    public CodeBlockId(string value) => Value = value;

    [Obsolete("For the test framework's deserialization only.")]
    public CodeBlockId() => Value = "";

    public string Value { get; private set; }

    public void Serialize(IXunitSerializationInfo info) => info.AddValue(nameof(Value), Value);

    public void Deserialize(IXunitSerializationInfo info) => Value = info.GetValue<string>(nameof(Value));

    public override string ToString() => Value;
}
