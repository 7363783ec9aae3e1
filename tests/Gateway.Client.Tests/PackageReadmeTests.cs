using System.Text.RegularExpressions;

namespace Gateway.Client.Tests;

/// <summary>Each package ships its own README (what NuGet shows): install, usage, dependencies, and only absolute links.</summary>
public class PackageReadmeTests
{
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GatewayClient.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root was not found above " + AppContext.BaseDirectory);
    }

    public static TheoryData<string> Packages => new("src/Gateway.Client", "src/Gateway.Client.Extensions.DependencyInjection", "src/Gateway.Client.Testing", "tools/GatewayTail", "tools/TestGatewayServer");

    [Theory]
    [MemberData(nameof(Packages))]
    public void Each_package_packs_its_own_readme_with_install_usage_and_absolute_links(string project)
    {
        var folder = Path.Combine(RepositoryRoot(), project);
        var csproj = File.ReadAllText(Directory.GetFiles(folder, "*.csproj").Single());
        var readme = File.ReadAllText(Path.Combine(folder, "README.md"));

        Assert.Contains("<None Include=\"README.md\" Pack=\"true\" PackagePath=\"/\" />", csproj);
        Assert.Contains("dotnet ", readme); // how to install (add package / tool install)
        Assert.Contains("```", readme);     // a usage example
        var relative = Regex.Matches(readme, @"\]\((?!https?://)([^)]+)\)").Select(m => m.Groups[1].Value).ToList();
        Assert.True(relative.Count == 0, $"{project}/README.md has relative links, which do not work on NuGet: {string.Join(", ", relative)}");
        Assert.DoesNotContain("from the repository root", readme, StringComparison.OrdinalIgnoreCase);
    }
}
