using System.Text;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Engine;
using Gateway.Client.Wire;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Client.Tests;

/// <summary>
/// Seeded fuzzing of the decoders: valid frames mutated at random (bytes flipped, cut, duplicated,
/// spliced, numbers replaced) go straight into the classifiers and the inbound pipeline. Nothing may
/// escape but a classification; the tracker never accepts a number twice. FUZZ_CASES and FUZZ_SEED
/// run it longer (CI: 100,000 cases per dialect).
/// </summary>
public class DecoderFuzzTests
{
    private static readonly string[] Seeds =
    {
        """{"type":"response","status":"accepted","session_id":"s1","seq":3,"cursor":3}""",
        """{"type":"token_stream","data":{"content":"hi"},"event_id":"e","timestamp":"t","source":"gateway","target":"s","seq":7,"cursor":7}""",
        """{"type":"replay","event":{"type":"token_stream","sequence":7,"event_id":"x","source":"gateway","data":{"type":"token_stream","data":{"content":"echo: "},"cursor":7,"seq":7}}}""",
        """{"type":"replay","seq":5,"event":{"type":"response","sequence":5,"data":{"type":"response","status":"final","seq":5}}}""",
        """{"type":"status","state":"thinking"}""",
        """{"type":"res","id":"r1","ok":true,"result":{"cursor":4}}""",
        """{"type":"reconnect","reason":"draining","retry_after_ms":0}""",
        """{"type":"ping"}""",
        """{"type":"event","event":"tick","payload":{"ts":1},"seq":4}""",
        """{"type":"event","event":"shutdown","payload":{"reason":"x","restartExpectedMs":1500},"seq":9}""",
        """{"type":"res","id":"connect","ok":false,"error":{"code":"INVALID_REQUEST","details":{"code":"AUTH_TOKEN_MISMATCH"}}}""",
        """{"type":"dslProgress","payload":{"stage":"analyzing","message":"m","details":{"command":"c"}}}""",
        """{"type":"dslResult","payload":{"success":true,"command":"c","matchedAgents":["a"],"processTime":0.1}}""",
        """{"type":"chatMessage","payload":{"content":"Connected to Praxis Agent","sender":"system","type":"system"}}""",
        """{"type":"chatMessage","payload":{"content":"I received your message: x","sender":"assistant","type":"text"}}""",
        """{"type":"PONG","payload":{"timestamp":"2026-01-01T00:00:00Z"},"correlation_id":"r1"}""",
        """{"type":"error","payload":{"message":"Invalid JSON format","code":"PARSE_ERROR"}}""",
        """{"type":"workflowStart","payload":{"workflowId":"w","executionId":"e","nodes":[],"edges":[]}}""",
    };

    private static readonly string[] Commands = { "DSL_COMMAND", "CHAT_MESSAGE", "EXECUTE_WORKFLOW", "PING", "SUBSCRIBE_EVENTS", "OTHER" };

    private static readonly string[] Splices = { "{", "}", "[", "]", "\"", ":", ",", "null", "-1", "1e400", "\"seq\":", "\\u0000", "\\", "99999999999999999999", "\u00ff", "true" };

    /// <summary>Every dialect in the catalog: a new one is fuzzed from the day it is added.</summary>
    public static TheoryData<string> Dialects => new(DialectCatalog.Entries.Select(e => e.Name));

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : fallback;

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task Mutated_frames_are_classified_and_never_throw_or_break_the_tracker(string dialectName)
    {
        var dialect = DialectCatalog.Find(dialectName)!.Create(new GatewayClientOptions { Url = new Uri("ws://127.0.0.1/ws"), AgentId = "unit" });
        var cases = Setting("FUZZ_CASES", 100_000);
        var random = new Random(Setting("FUZZ_SEED", 424242));
        var tracker = new SequenceTracker();
        tracker.Restore(0, null);
        var counters = new ClientCounters(new ClientTelemetry(new GatewayClientOptions { Url = new Uri("ws://127.0.0.1/ws"), AgentId = "unit" }));
        var buffer = new EventBuffer(64, BackpressureMode.DropOldest, counters);
        var pipeline = new InboundPipeline(tracker, dialect, counters, NullLogger.Instance, buffer);
        var wire = dialect.BeginConnection();
        var delivered = new HashSet<long>();
        var kinds = new Dictionary<FrameKind, int>();

        for (var i = 0; i < cases; i++)
        {
            // A dialect that matches answers by order on the wire (it keeps per-connection state) needs something on the wire to answer.
            if (!ReferenceEquals(wire, dialect) && random.Next(3) == 0)
            {
                using var request = new Gateway.Client.Wire.PooledBufferWriter();
                var id = "r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                dialect.WriteRequest(request, id, Commands[random.Next(Commands.Length)], null, null);
                try
                {
                    wire.Sending(random.Next(4) == 0 ? Mutate(request.WrittenMemory.ToArray(), random) : request.WrittenMemory.Span, isRequest: random.Next(2) == 0);
                }
                catch (GatewayRequestException)
                {
                    // Refused before it is written (the Praxis ledger's bound): nothing went on the wire.
                }
            }

            var frame = Mutate(Encoding.UTF8.GetBytes(Seeds[random.Next(Seeds.Length)]), random);
            var classified = wire.Classify(frame);
            kinds[classified.Kind] = kinds.GetValueOrDefault(classified.Kind) + 1;
            switch (classified.Kind)
            {
                case FrameKind.Event:
                    Assert.InRange(classified.PayloadOffset, 0, frame.Length);
                    Assert.InRange(classified.PayloadLength, 0, frame.Length - classified.PayloadOffset);
                    await pipeline.OnEventAsync(classified, ReceivedMessage.Data(WebSocketMessageType.Text, PayloadSlab.Wrap(frame), 0, frame.Length), default);
                    break;
                case FrameKind.Response:
                    try
                    {
                        wire.ParseResponse(frame);
                    }
                    catch (System.Text.Json.JsonException)
                    {
                        Assert.Fail("A frame classified as a response must parse as one.");
                    }

                    break;
                case FrameKind.Malformed:
                    Assert.False(string.IsNullOrEmpty(classified.Problem));
                    break;
            }

            var taken = new StreamItem[EventBuffer.WakeBatch];
            for (int count; (count = buffer.TryReadBatch(taken)) > 0;)
            {
                foreach (var item in taken.AsSpan(0, count))
                {
                    if (item.Sequence is { } seq)
                    {
                        Assert.True(delivered.Add(seq), $"#{seq} was accepted twice (case {i})");
                    }
                }
            }
        }

        // The mutations must have reached every outcome, or the fuzzer tests too little.
        Assert.True(kinds.GetValueOrDefault(FrameKind.Event) > cases / 20, $"events: {kinds.GetValueOrDefault(FrameKind.Event)}");
        Assert.True(kinds.GetValueOrDefault(FrameKind.Malformed) > cases / 20, $"malformed: {kinds.GetValueOrDefault(FrameKind.Malformed)}");
    }

    private static byte[] Mutate(byte[] frame, Random random)
    {
        var bytes = new List<byte>(frame);
        var mutations = random.Next(0, 4);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 8)));
                    break;
                case 2:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(Splices[random.Next(Splices.Length)]));
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at); // truncated
                    break;
                case 4:
                    var digits = Encoding.ASCII.GetBytes(random.Next(-5, 50).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    var digit = bytes.FindIndex(at, b => b is >= (byte)'0' and <= (byte)'9');
                    if (digit >= 0)
                    {
                        bytes.RemoveAt(digit);
                        bytes.InsertRange(digit, digits);
                    }

                    break;
                default:
                    bytes.InsertRange(at, bytes.GetRange(at, Math.Min(bytes.Count - at, random.Next(1, 16))));
                    break;
            }
        }

        return bytes.ToArray();
    }
}
