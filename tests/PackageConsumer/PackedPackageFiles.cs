using System.IO.Compression;
using System.Reflection;

namespace PackageConsumer;

/// <summary>The package files this run consumes: every package of the repository, at the version .ci/run just packed into artifacts/packages.</summary>
internal static class PackedPackageFiles
{
    /// <summary>The libraries in src: packages whose assemblies an app references.</summary>
    public static readonly string[] Libraries =
    [
        "Gateway.Client", "Gateway.Client.Testing", "Gateway.Client.Extensions.DependencyInjection", "Gateway.Client.AI",
        "Gateway.Client.Sessions.Sqlite", "Gateway.Client.Sessions.Redis", "Gateway.Client.Sessions.Postgres",
    ];

    /// <summary>The packages the solution's pack makes with assemblies of ours inside: the libraries and gateway-testgateway.</summary>
    public static readonly string[] WithAssemblies = [.. Libraries, "Gateway.Client.TestGateway"];

    /// <summary>
    /// Every package the solution's pack makes: those, and the gateway-tail tool's top-level package (which only
    /// points at its runtime-specific packages, packed by .ci/run's tool step: it holds no assembly).
    /// </summary>
    public static readonly string[] Ids = [.. WithAssemblies, "Gateway.Client.Tail"];

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static ZipArchive Open(string id)
    {
        var version = typeof(PackedPackageFiles).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "GatewayPackageVersion").Value;
        var path = Path.Combine(RepositoryRoot, "artifacts", "packages", $"{id}.{version}.nupkg");
        Assert.True(File.Exists(path), $"{path} was not packed");
        return ZipFile.OpenRead(path);
    }

    public static byte[] Read(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string FindRepositoryRoot()
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
}
