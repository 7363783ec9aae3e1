using System.Reflection;
using System.Text;

namespace Gateway.Client.Tests;

/// <summary>
/// The public API of each package is listed in a checked-in PublicAPI.txt beside its project, so every
/// change to it shows up as a reviewed diff (the public-API analyzer package is not in our package
/// source; this regenerates the same listing by reflection). To accept a change, run the tests with
/// UPDATE_PUBLIC_API=1 and commit the file.
/// </summary>
public class PublicApiTests
{
    [Theory]
    [InlineData(typeof(GatewayClient), "src/Gateway.Client/PublicAPI.txt")]
    [InlineData(typeof(Gateway.Client.Testing.TestGateway), "src/Gateway.Client.Testing/PublicAPI.txt")]
    [InlineData(typeof(Gateway.Client.Extensions.DependencyInjection.IGatewayClientFactory), "src/Gateway.Client.Extensions.DependencyInjection/PublicAPI.txt")]
    public void The_public_api_matches_the_reviewed_snapshot(Type anchor, string relativePath)
    {
        var actual = Describe(anchor.Assembly);
        var path = Path.Combine(RepositoryRoot(), relativePath);
        if (Environment.GetEnvironmentVariable("UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"{relativePath} is missing; run the tests with UPDATE_PUBLIC_API=1 to create it.");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.True(
            expected == actual,
            $"The public API of {anchor.Assembly.GetName().Name} changed. Review the difference below, then run the tests with UPDATE_PUBLIC_API=1 and commit {relativePath}.\n" +
            Difference(expected, actual));
    }

    private static string Difference(string expected, string actual)
    {
        var before = expected.Split('\n').ToHashSet();
        var after = actual.Split('\n').ToHashSet();
        return string.Join("\n", before.Except(after).Select(l => "- " + l).Concat(after.Except(before).Select(l => "+ " + l)));
    }

    /// <summary>
    /// Walks up from the test binaries to the solution. (Not [CallerFilePath]: CI builds are deterministic,
    /// which maps source paths to /_/.)
    /// </summary>
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GatewayClient.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("GatewayClient.sln not found above " + AppContext.BaseDirectory);
    }

    private static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            lines.Add(TypeLine(type));
            const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var members = type.GetMembers(flags)
                .Where(IsVisible)
                .Select(m => MemberLine(type, m))
                .Where(l => l is not null)
                .Select(l => "  " + l)
                .OrderBy(l => l, StringComparer.Ordinal);
            lines.AddRange(members!);
        }

        return string.Join("\n", lines) + "\n";
    }

    private static bool IsVisible(MemberInfo member) => member switch
    {
        MethodBase m => (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly) && !m.IsSpecialName || m is ConstructorInfo { IsPublic: true } or ConstructorInfo { IsFamily: true },
        FieldInfo f => (f.IsPublic || f.IsFamily) && !f.IsSpecialName,
        PropertyInfo p => p.GetMethod is { } g && (g.IsPublic || g.IsFamily) || p.SetMethod is { } s && (s.IsPublic || s.IsFamily),
        EventInfo e => e.AddMethod is { IsPublic: true },
        _ => false,
    };

    private static string TypeLine(Type type)
    {
        var kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? (IsRecord(type) ? "record struct" : "struct")
            : IsDelegate(type) ? "delegate" : IsRecord(type) ? "record" : "class";
        var modifiers = type.IsAbstract && type.IsSealed ? "static " : type.IsSealed && !type.IsValueType && !type.IsEnum ? "sealed " : type.IsAbstract && !type.IsInterface ? "abstract " : string.Empty;
        var bases = new List<string>();
        if (type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum) && b != typeof(MulticastDelegate))
        {
            bases.Add(Name(b));
        }

        // Only interfaces the type itself adds: inherited ones depend on the runtime running the test.
        var inherited = type.BaseType?.GetInterfaces() ?? Type.EmptyTypes;
        bases.AddRange(type.GetInterfaces().Except(inherited).Where(i => i.IsPublic || i.IsNestedPublic).Select(Name).Where(n => !n.StartsWith("System.IEquatable", StringComparison.Ordinal)).OrderBy(n => n, StringComparer.Ordinal));
        return $"{modifiers}{kind} {Name(type)}{(bases.Count > 0 ? " : " + string.Join(", ", bases) : string.Empty)}";
    }

    private static string? MemberLine(Type type, MemberInfo member)
    {
        switch (member)
        {
            case ConstructorInfo c:
                return $"{Access(c)}{type.Name}({Parameters(c.GetParameters())})";
            case MethodInfo m:
                if (IsRecord(type) && m.Name is "<Clone>$" or "PrintMembers" or "EqualityContract")
                {
                    return null;
                }

                return $"{Access(m)}{(m.IsStatic ? "static " : m.IsAbstract ? "abstract " : m.GetBaseDefinition() != m ? "override " : m.IsVirtual && !m.IsFinal ? "virtual " : string.Empty)}{Name(m.ReturnType)} {m.Name}{(m.IsGenericMethod ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : string.Empty)}({Parameters(m.GetParameters())})";
            case PropertyInfo p:
                var accessors = (p.GetMethod is { } g && (g.IsPublic || g.IsFamily) ? "get; " : string.Empty) +
                                (p.SetMethod is { } s && (s.IsPublic || s.IsFamily) ? (s.ReturnParameter.GetRequiredCustomModifiers().Any(t => t.Name == "IsExternalInit") ? "init; " : "set; ") : string.Empty);
                var index = p.GetIndexParameters();
                var isStatic = (p.GetMethod ?? p.SetMethod)!.IsStatic ? "static " : string.Empty;
                return $"{isStatic}{Name(p.PropertyType)} {(index.Length > 0 ? "this[" + Parameters(index) + "]" : p.Name)} {{ {accessors}}}";
            case FieldInfo f:
                if (type.IsEnum)
                {
                    return $"{f.Name} = {Convert.ToInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture)}";
                }

                return $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : string.Empty)}{(f.IsInitOnly ? "readonly " : string.Empty)}{Name(f.FieldType)} {f.Name}{(f.IsLiteral ? " = " + FormatConstant(f.GetRawConstantValue()) : string.Empty)}";
            case EventInfo e:
                return $"event {Name(e.EventHandlerType!)} {e.Name}";
            default:
                return null;
        }
    }

    private static string FormatConstant(object? value) => value is string s ? "\"" + s + "\"" : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "null";

    private static string Access(MethodBase method) => method.IsFamily || method.IsFamilyOrAssembly ? "protected " : string.Empty;

    private static string Parameters(ParameterInfo[] parameters) => string.Join(", ", parameters.Select(p =>
        (p.ParameterType.IsByRef ? (p.IsOut ? "out " : p.IsIn ? "in " : "ref ") : string.Empty) +
        Name(p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType) + " " + p.Name +
        (p.HasDefaultValue ? " = " + (p.DefaultValue is not null ? FormatConstant(p.DefaultValue) : p.ParameterType.IsValueType && Nullable.GetUnderlyingType(p.ParameterType) is null ? "default" : "null") : string.Empty)));

    private static bool IsRecord(Type type) => type.GetMethod("<Clone>$") is not null || type.GetProperty("EqualityContract", BindingFlags.NonPublic | BindingFlags.Instance) is not null
        || (type.IsValueType && type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is not null);

    private static bool IsDelegate(Type type) => typeof(Delegate).IsAssignableFrom(type);

    private static string Name(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying) + "?";
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        var name = type.IsNested ? Name(type.DeclaringType!) + "." + type.Name : type.Namespace + "." + type.Name;
        if (type.IsGenericType)
        {
            name = name[..name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
        }

        return name;
    }
}
