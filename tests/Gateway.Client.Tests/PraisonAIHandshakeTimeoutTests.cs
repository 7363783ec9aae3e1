using System.Text;
using System.Text.Json;
using Gateway.Client.Dialects;
using Gateway.Client.Dialects.PraisonAI;

namespace Gateway.Client.Tests;

/// <summary>
/// The PraisonAI handshake's timeouts name what was really waited for: hello, the legacy join after it, or the
/// snapshot after joined; and a hello answered after the fall-back ends the attempt at once, saying so.
/// </summary>
public class PraisonAIHandshakeTimeoutTests
{
    private static readonly TimeSpan Timeout10 = TimeSpan.FromSeconds(10);

    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    private static HandshakeRequest Request(TimeProvider clock, bool preferLegacy = false, bool allowLegacy = true) => new()
    {
        AgentId = "support",
        Protocol = new ProtocolRange(1, 2),
        Capabilities = new[] { "streaming" },
        AllowLegacy = allowLegacy,
        PreferLegacy = preferLegacy,
        Timeout = Timeout10,
        TimeProvider = clock,
    };

    /// <summary>Runs the handshake; each <paramref name="waits"/> entry is a wait (on the clock) the test lets run out, in order.</summary>
    private static async Task<(GatewayHandshakeException Error, TimeSpan Elapsed, ScriptedTransport Transport)> FailAsync(
        ScriptedTransport transport, bool preferLegacy = false, bool allowLegacy = true, int waits = 0)
    {
        var clock = new ObservableFakeTimeProvider();
        var start = clock.GetUtcNow();
        var handshake = PraisonAIDialect.Instance.HandshakeAsync(transport, Request(clock, preferLegacy, allowLegacy), Deadline());
        for (var i = 0; i < waits; i++)
        {
            await clock.WaitForTimerAsync(Timeout10, Deadline());
            clock.Advance(Timeout10);
        }

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => handshake.WaitAsync(Deadline()));
        Assert.Equal(HandshakeErrorCodes.Timeout, error.Code);
        return (error, clock.GetUtcNow() - start, transport);
    }

    [Fact]
    public async Task Nothing_answering_hello_or_the_join_after_it_names_both_and_the_time_in_all()
    {
        var (error, elapsed, transport) = await FailAsync(new ScriptedTransport(), waits: 2);

        Assert.Equal(
            "The gateway answered neither hello (nothing within 10 s) nor the legacy join sent after it (no 'joined' within 10 s more; 20 s in all, HandshakeTimeout twice).",
            error.Message);
        Assert.Equal(TimeSpan.FromSeconds(20), elapsed); // the fall-back for old servers: by design, one HandshakeTimeout each
        Assert.Equal(new[] { "hello", "join" }, transport.Sent);
    }

    [Fact]
    public async Task A_hello_answered_after_the_fall_back_ends_the_attempt_at_once_naming_hello()
    {
        var transport = new ScriptedTransport();
        transport.WhenSent("join", t => t.Answer("""{"type":"hello_ok","protocol":2,"session_id":"s","cursor":0}"""));

        var (error, elapsed, _) = await FailAsync(transport, waits: 1);

        Assert.Equal(
            "The gateway answered hello only after HandshakeTimeout (10 s) had passed, when the client had already fallen back to the legacy join: it is a slow server, not a legacy one. Raise HandshakeTimeout if it is often this slow.",
            error.Message);
        Assert.Equal(Timeout10, elapsed); // not a second HandshakeTimeout for a join this server will not answer
        Assert.True(error.IsRetryable);
    }

    [Fact]
    public async Task A_legacy_error_then_an_unanswered_join_says_so()
    {
        var transport = new ScriptedTransport();
        transport.Answer("""{"type":"error","message":"unknown message type: hello"}""");

        var (error, elapsed, _) = await FailAsync(transport, waits: 1);

        Assert.Equal("The gateway answered hello with a legacy error, then sent no 'joined' within 10 s of the legacy join.", error.Message);
        Assert.Equal(Timeout10, elapsed);
    }

    [Fact]
    public async Task A_legacy_error_then_hello_ok_after_the_fall_back_ends_the_attempt_saying_so()
    {
        var transport = new ScriptedTransport();
        transport.Answer("""{"type":"error","message":"busy"}""");
        transport.WhenSent("join", t => t.Answer("""{"type":"hello_ok","protocol":2,"session_id":"s","cursor":0}"""));

        var (error, _, _) = await FailAsync(transport);

        Assert.Equal("The gateway answered hello with a legacy error and then with hello_ok, after the client had fallen back to the legacy join.", error.Message);
    }

    [Fact]
    public async Task An_unanswered_join_to_a_server_known_to_be_legacy_says_hello_was_not_tried()
    {
        var (error, elapsed, transport) = await FailAsync(new ScriptedTransport(), preferLegacy: true, waits: 1);

        Assert.Equal("The gateway sent no 'joined' within 10 s of the legacy join (it had answered join before, so hello was not tried).", error.Message);
        Assert.Equal(Timeout10, elapsed);
        Assert.Equal(new[] { "join" }, transport.Sent);
    }

    [Fact]
    public async Task A_joined_that_promises_a_snapshot_and_sends_none_names_the_snapshot()
    {
        var transport = new ScriptedTransport();
        transport.WhenSent("join", t => t.Answer("""{"type":"joined","session_id":"s","cursor":5,"resync_required":true}"""));

        var (error, elapsed, _) = await FailAsync(transport, preferLegacy: true, waits: 1);

        Assert.Equal("The gateway answered join with resync_required but sent no 'snapshot' within 10 s of the legacy join.", error.Message);
        Assert.Equal(Timeout10, elapsed);
    }

    [Fact]
    public async Task Without_the_fall_back_an_unanswered_hello_names_hello_and_the_option()
    {
        var (error, elapsed, _) = await FailAsync(new ScriptedTransport(), allowLegacy: false, waits: 1);

        Assert.Equal("The gateway did not answer hello within 10 s (HandshakeTimeout).", error.Message);
        Assert.Equal(Timeout10, elapsed);
    }

    /// <summary>A connection whose answers the test scripts: frames queued in advance, or sent when the client sends a given frame.</summary>
    private sealed class ScriptedTransport : IFrameTransport
    {
        private readonly object _gate = new();
        private readonly Queue<byte[]> _ready = new();
        private readonly Dictionary<string, Action<ScriptedTransport>> _onSent = new();
        private TaskCompletionSource<byte[]>? _waiting;

        public List<string> Sent { get; } = new();

        public void WhenSent(string type, Action<ScriptedTransport> react) => _onSent[type] = react;

        public void Answer(string json)
        {
            var frame = Encoding.UTF8.GetBytes(json);
            TaskCompletionSource<byte[]>? waiting;
            lock (_gate)
            {
                waiting = _waiting;
                _waiting = null;
                if (waiting is null)
                {
                    _ready.Enqueue(frame);
                }
            }

            waiting?.SetResult(frame);
        }

        public ValueTask SendAsync(ReadOnlyMemory<byte> utf8Frame, CancellationToken cancellationToken)
        {
            using var document = JsonDocument.Parse(utf8Frame);
            var type = document.RootElement.GetProperty("type").GetString()!;
            Sent.Add(type);
            if (_onSent.TryGetValue(type, out var react))
            {
                react(this);
            }

            return default;
        }

        public Task<byte[]> ReceiveAsync(CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                if (_ready.TryDequeue(out var frame))
                {
                    return Task.FromResult(frame);
                }

                _waiting = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
                return _waiting.Task;
            }
        }

        public void AnswerPing()
        {
        }

        public void FrameIgnored()
        {
        }
    }
}
