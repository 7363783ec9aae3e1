using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Gateway.Client.PraisonAI;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// Dialects at the edge: <see cref="GatewayClient"/> is the same under every dialect (none of its members throws
/// <see cref="NotSupportedException"/> because of the dialect), and <see cref="GatewayClient.Capabilities"/> says before
/// a call what the connected server supports.
/// </summary>
public class DialectSurfaceTests
{
    public static TheoryData<ProtocolDialect, int> Servers => new()
    {
        { ProtocolDialect.PraisonAI, 2 },
        { ProtocolDialect.PraisonAI, 1 },
        { ProtocolDialect.OpenClaw, 0 },
        { ProtocolDialect.Praxis, 0 },
    };

    [Theory]
    [InlineData(ProtocolDialect.PraisonAI, 2, true, false, true, true, true)]
    [InlineData(ProtocolDialect.PraisonAI, 1, false, false, true, true, true)]
    [InlineData(ProtocolDialect.OpenClaw, 0, true, true, false, false, false)]
    [InlineData(ProtocolDialect.Praxis, 0, true, false, false, false, false)]
    public async Task Capabilities_say_what_the_dialect_and_the_negotiated_session_support(
        ProtocolDialect dialect, int protocolMax, bool requests, bool idempotencyKeys, bool chatTurns, bool resync, bool resumesStream)
    {
        await using var gateway = await StartGatewayAsync(dialect, protocolMax);
        await using var client = new GatewayClient(OptionsFor(gateway, dialect));
        var before = client.Capabilities;

        await client.ConnectAsync(Harness.Deadline());
        var after = client.Capabilities;

        Assert.False(before.Requests || before.IdempotencyKeys || before.ChatTurns || before.Resync || before.ResumesStream);
        Assert.Equal(dialect, client.Dialect);
        Assert.Equal(
            (requests, idempotencyKeys, chatTurns, resync, resumesStream),
            (after.Requests, after.IdempotencyKeys, after.ChatTurns, after.Resync, after.ResumesStream));
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task No_member_of_the_client_throws_NotSupportedException_for_the_dialect(ProtocolDialect dialect, int protocolMax)
    {
        await using var gateway = await StartGatewayAsync(dialect, protocolMax);
        await using var client = new GatewayClient(OptionsFor(gateway, dialect, o => o.TypeInfoResolver = TypedJsonContext.Default));
        await client.ConnectAsync(Harness.Deadline());

        var called = new List<string>();
        foreach (var member in PublicSurface())
        {
            var outcome = await CallAsync(client, member);
            Assert.False(outcome is NotSupportedException, $"{member} threw NotSupportedException under {dialect} (protocol {protocolMax}): {outcome?.Message}");
            called.Add(member.ToString()!);
        }

        // The walk reached every method of the surface (the same list the interface test checks), not a lucky few.
        Assert.Contains(called, m => m.Contains("RequestAsync", StringComparison.Ordinal));
        Assert.Contains(called, m => m.Contains("SendAsJsonAsync", StringComparison.Ordinal));
        Assert.Contains(called, m => m.Contains("ReadEventBatchesAsync", StringComparison.Ordinal));
        Assert.Contains(called, m => m.Contains("DisconnectAsync", StringComparison.Ordinal));
        Assert.Contains(called, m => m.Contains("AskAsync", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task The_PraisonAI_verbs_work_on_PraisonAI_and_are_refused_elsewhere_before_anything_is_sent(ProtocolDialect dialect, int protocolMax)
    {
        await using var gateway = await StartGatewayAsync(dialect, protocolMax);
        await using var client = new GatewayClient(OptionsFor(gateway, dialect));
        await client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        if (dialect == ProtocolDialect.PraisonAI)
        {
            await client.SendMessageAsync("hi", Harness.Deadline());
            await client.AbortAsync(Harness.Deadline());
            await connection.WaitForFrameAsync("abort", Harness.Deadline());
            var resynced = await client.ResyncAsync(Harness.Deadline());
            Assert.True(resynced.Sequence >= 0);
            Assert.Equal("user", connection.ReceivedFrames.First(f => f.GetProperty("type").GetString() == "abort").GetProperty("reason").GetString());
            return;
        }

        Assert.Throws<InvalidOperationException>(() => { _ = client.SendMessageAsync("hi", Harness.Deadline()); });
        Assert.Throws<InvalidOperationException>(() => { _ = client.AbortAsync(Harness.Deadline()); });
        Assert.Throws<InvalidOperationException>(() => { _ = client.ResyncAsync(Harness.Deadline()); });
        Assert.DoesNotContain(connection.ReceivedFrames, f => f.TryGetProperty("type", out var t) && t.GetString() is "message" or "abort");
    }

    /// <summary>The public instance methods of <see cref="GatewayClient"/> an app calls (disposal last, so it is walked too).</summary>
    private static IEnumerable<MethodInfo> PublicSurface() =>
        typeof(GatewayClient).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName || m.Name.StartsWith("get_", StringComparison.Ordinal))
            .OrderBy(m => m.Name is "DisconnectAsync" or "DisposeAsync" or "Dispose" ? 1 : 0)
            .ThenBy(m => m.ToString(), StringComparer.Ordinal);

    /// <summary>Calls one member with valid arguments and returns what it threw (unwrapped), or null.</summary>
    private static async Task<Exception?> CallAsync(GatewayClient client, MethodInfo member)
    {
        var method = member.IsGenericMethodDefinition
            ? member.MakeGenericMethod(member.GetGenericArguments().Length == 1 ? [typeof(TypedNote)] : [typeof(TypedSum), typeof(TypedTotal)])
            : member;
        // Short: the walk only looks for NotSupportedException, which is thrown before anything waits.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        try
        {
            var result = method.Invoke(client, method.GetParameters().Select(p => ArgumentFor(p, method, deadline.Token)).ToArray());
            switch (result)
            {
                case Task task:
                    await task.WaitAsync(TimeSpan.FromSeconds(5));
                    break;
                case ValueTask valueTask:
                    await valueTask;
                    break;
                case IAsyncEnumerable<GatewayEvent> events:
                    await foreach (var _ in events.WithCancellation(deadline.Token))
                    {
                        break;
                    }

                    break;
                case IAsyncEnumerable<GatewayTurnUpdate> turn:
                    await foreach (var _ in turn.WithCancellation(deadline.Token))
                    {
                        break;
                    }

                    break;
                case IAsyncEnumerable<GatewayEventBatch> batches:
                    await foreach (var _ in batches.WithCancellation(deadline.Token))
                    {
                        break;
                    }

                    break;
            }

            return null;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is { } inner)
        {
            return inner;
        }
        catch (MissingArgumentException)
        {
            throw; // a member the walk cannot call is a failure of the test, not a member that passed
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private static object? ArgumentFor(ParameterInfo parameter, MethodInfo method, CancellationToken token)
    {
        var type = parameter.ParameterType;
        if (type == typeof(CancellationToken))
        {
            return token;
        }

        if (type == typeof(string))
        {
            return "sum";
        }

        if (type == typeof(int))
        {
            return 16;
        }

        if (type == typeof(Func<GapInfo, CancellationToken, Task>))
        {
            return (Func<GapInfo, CancellationToken, Task>)((_, _) => Task.CompletedTask);
        }

        if (type == typeof(Func<ConnectionStateChangedEventArgs, CancellationToken, Task>))
        {
            return (Func<ConnectionStateChangedEventArgs, CancellationToken, Task>)((_, _) => Task.CompletedTask);
        }

        if (type == typeof(JsonElement))
        {
            return method.Name == "SendAsync"
                ? JsonSerializer.SerializeToElement(new JsonObject { ["type"] = "note" })
                : JsonSerializer.SerializeToElement(new JsonObject { ["a"] = 1, ["b"] = 2 });
        }

        if (type == typeof(ReadOnlyMemory<byte>))
        {
            return new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes("""{"type":"note"}"""));
        }

        if (type == typeof(GatewayTurnOptions))
        {
            return new GatewayTurnOptions();
        }

        if (type == typeof(GatewayRequestOptions))
        {
            return new GatewayRequestOptions();
        }

        if (type == typeof(TypedNote))
        {
            return new TypedNote("note", "walk");
        }

        if (type == typeof(TypedSum))
        {
            return new TypedSum(1, 2);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(JsonTypeInfo<>))
        {
            return TypedJsonContext.Default.GetTypeInfo(type.GetGenericArguments()[0]);
        }

        throw new MissingArgumentException($"The walk has no argument for {parameter.Name} ({type}) of {method}: teach it one.");
    }

    private static async Task<TestGateway> StartGatewayAsync(ProtocolDialect dialect, int protocolMax)
    {
        var gateway = await TestGateway.StartAsync(new TestGatewayOptions
        {
            Dialect = dialect switch
            {
                ProtocolDialect.OpenClaw => TestGatewayDialect.OpenClaw,
                ProtocolDialect.Praxis => TestGatewayDialect.Praxis,
                _ => TestGatewayDialect.PraisonAI,
            },
            ProtocolMax = protocolMax is 0 ? 2 : protocolMax,
            Token = dialect == ProtocolDialect.OpenClaw ? "oc-secret" : null,
            EnableHeartbeat = false,
        });
        gateway.RegisterMethod("sum", (p, _) => Task.FromResult<JsonNode?>(new JsonObject { ["total"] = p.GetProperty("a").GetInt32() + p.GetProperty("b").GetInt32() }));
        return gateway;
    }

    private static GatewayClientOptions OptionsFor(TestGateway gateway, ProtocolDialect dialect, Action<GatewayClientOptions>? configure = null) =>
        Harness.OptionsFor(gateway, o =>
        {
            Harness.SingleAttempt(o);
            o.Dialect = dialect;
            configure?.Invoke(o);
        });

    /// <summary>The walk met a parameter it cannot fill: the test fails rather than count the member as called.</summary>
    private sealed class MissingArgumentException(string message) : Exception(message);
}
