using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace PackageConsumer;

/// <summary>What an enterprise that requires strong names takes: every assembly of ours in every package, for every target
/// framework, is signed with the repository's key (build/Gateway.Client.snk). A new key is a new identity, a breaking change.</summary>
public class StrongNameTests
{
    private const string PublicKeyToken = "c4e69bf6b345a75a";

    public static TheoryData<string> Packages => new(PackedPackageFiles.WithAssemblies);

    [Theory]
    [MemberData(nameof(Packages))]
    public void Every_assembly_of_ours_in_the_package_is_signed_with_the_repository_key(string id)
    {
        using var package = PackedPackageFiles.Open(id);
        var ours = package.Entries
            .Where(e => e.FullName.EndsWith(".dll", StringComparison.Ordinal) && (e.Name.StartsWith("Gateway.Client", StringComparison.Ordinal) || e.Name is "gateway-tail.dll" or "gateway-testgateway.dll"))
            .ToList();

        Assert.NotEmpty(ours);
        foreach (var entry in ours)
        {
            using var pe = new PEReader(new MemoryStream(PackedPackageFiles.Read(entry)));
            var name = pe.GetMetadataReader().GetAssemblyDefinition().GetAssemblyName();
            Assert.True(Convert.ToHexString(name.GetPublicKeyToken() ?? []).ToLowerInvariant() == PublicKeyToken, $"{id}: {entry.FullName} is {name.FullName}");
            Assert.True((pe.PEHeaders.CorHeader!.Flags & CorFlags.StrongNameSigned) != 0, $"{id}: {entry.FullName} has the public key but no signature");
        }
    }
}
