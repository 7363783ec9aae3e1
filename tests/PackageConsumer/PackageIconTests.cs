using System.Xml.Linq;

namespace PackageConsumer;

/// <summary>Every package shows the repository's icon (build/icon.png) where NuGet lists it.</summary>
public class PackageIconTests
{
    public static TheoryData<string> Packages => new(PackedPackageFiles.Ids);

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_package_names_and_carries_the_icon(string id)
    {
        using var package = PackedPackageFiles.Open(id);
        var nuspec = XDocument.Load(package.Entries.Single(e => e.FullName == $"{id}.nuspec").Open());
        var icon = nuspec.Descendants().SingleOrDefault(e => e.Name.LocalName == "icon")?.Value;

        Assert.Equal("icon.png", icon);
        var packed = package.GetEntry("icon.png");
        Assert.NotNull(packed);
        Assert.Equal(File.ReadAllBytes(Path.Combine(PackedPackageFiles.RepositoryRoot, "build", "icon.png")), PackedPackageFiles.Read(packed));
    }
}
