using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Gateway.Client.TestSupport;

/// <summary>
/// Marks a test class whose tests need a real server this process starts (Redis, PostgreSQL): when
/// <paramref name="server"/>'s <c>public static string? WhyNot</c> gives a reason, every test of the class (its own and
/// those it inherits, such as the session tests' store contract suite) is reported skipped with that reason, unless
/// <see cref="ServerRequirement.Required"/> (CI) makes a server that cannot start a failure instead.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class RequiresServerAttribute(Type server) : Attribute
{
    /// <summary>The type with the <c>public static string? WhyNot</c> property.</summary>
    public Type Server { get; } = server;
}

/// <summary>Whether the real servers may be skipped here.</summary>
public static class ServerRequirement
{
    /// <summary>Set by .ci/run: a server that cannot start is a failure, not a skip.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("GATEWAY_SESSION_SERVERS_REQUIRED") == "1";

    /// <summary>Why <paramref name="testClass"/> cannot run here, or null when it can (or must).</summary>
    public static string? WhyNot(Type testClass)
    {
        if (Required || testClass.GetCustomAttribute<RequiresServerAttribute>(inherit: true) is not { } requirement)
        {
            return null;
        }

        var whyNot = requirement.Server.GetProperty("WhyNot", BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{requirement.Server} has no public static WhyNot property.");
        return (string?)whyNot.GetValue(null);
    }
}

/// <summary>
/// xunit 2 skips a test only through its attribute, and the contract suite's facts are declared once, on the abstract
/// base class: this framework reports each test of a <see cref="RequiresServerAttribute"/> class as skipped, with the
/// server's reason, when the server cannot run here. Every other test is discovered as xunit does. Before a run it says
/// once per reason why tests are skipped, whatever skipped them (<see cref="SkipReportingExecutor"/>). Each test project
/// that links this file names it as its framework in its own assembly attribute (the attribute names the assembly).
/// </summary>
public sealed class ServerTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    /// <inheritdoc/>
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new SkipReportingExecutor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    /// <inheritdoc/>
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Discoverer(IAssemblyInfo assemblyInfo, ISourceInformationProvider sourceProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkDiscoverer(assemblyInfo, sourceProvider, diagnosticMessageSink)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus, ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            var reason = testMethod.TestClass.Class is IReflectionTypeInfo reflected ? ServerRequirement.WhyNot(reflected.Type) : null;
            if (reason is null || !testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).Any())
            {
                return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
            }

            var skipped = new XunitSkippedDataRowTestCase(
                DiagnosticMessageSink,
                discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(),
                testMethod,
                reason);
            return ReportDiscoveredTestCase(skipped, includeSourceInformation, messageBus);
        }
    }
}
