using Gateway.Client.Dialects.PraisonAI;
using Gateway.Client.Dialects.OpenClaw;
using Gateway.Client.Dialects.Praxis;
using Gateway.Client.OpenClaw;
using Gateway.Client.Praxis;

namespace Gateway.Client.Dialects;

/// <summary>
/// The one place where a dialect is named. The facade, option validation and copying,
/// telemetry, the public name mapping (<see cref="ProtocolDialects"/>, used by configuration binding and
/// gateway-tail) and handshake refusal kinds (gateway-tail's exit codes) ask it; adding a dialect is its
/// folder under <c>Dialects/</c>, one entry here and its enum value.
/// </summary>
internal static class DialectCatalog
{
    public static IReadOnlyList<DialectEntry> Entries { get; } = new DialectEntry[]
    {
        new()
        {
            Value = ProtocolDialect.PraisonAI,
            Name = "praisonai",
            Create = static _ => PraisonAIDialect.Instance,
            CarriesTokenInUpgrade = true,
            RequiresAgentId = true,
            Refusals = PraisonAIReconnectTable.Refusals,
        },
        new()
        {
            Value = ProtocolDialect.OpenClaw,
            Name = "openclaw",
            Create = static options => new OpenClawDialect(options.GetDialectOptions<OpenClawOptions>()),
            CarriesTokenInUpgrade = false, // in connect's auth.token
            OptionsType = typeof(OpenClawOptions),
            CreateOptions = static () => new OpenClawOptions(),
            Refusals = OpenClawReconnectTable.Refusals,
            WithoutChatVerbs = "send chat turns with RequestAsync (for example the gateway's chat.send method), and abort a run with its abort method",
            WithoutResync = "OpenClaw cannot replay or re-base a stream; after a gap, fetch the state you need with RequestAsync (for example chat.history)",
        },
        new()
        {
            Value = ProtocolDialect.Praxis,
            Name = "praxis",
            Create = static options => new PraxisDialect(
                options.GetDialectOptions<PraxisOptions>(),
                Engine.BrowserWebSocketPolicy.SocketKeepAlive(PraxisDialect.SocketKeepAliveAvailable, Engine.BrowserWebSocketPolicy.IsBrowser)),
            CarriesTokenInUpgrade = true,
            OptionsType = typeof(PraxisOptions),
            CreateOptions = static () => new PraxisOptions(),
            WithoutChatVerbs = "send a chat turn with RequestAsync(PraxisCommands.ChatMessage (\"CHAT_MESSAGE\"), {\"content\": ...}), which returns the agent's reply; Praxis has no abort",
            WithoutResync = "a Praxis agent keeps no stream to re-base; after a gap, re-issue the commands whose results you need (subscriptions are restored for you)",
        },
    };

    /// <summary>The entry for <paramref name="dialect"/>, or null for a value no dialect has.</summary>
    public static DialectEntry? Find(ProtocolDialect dialect)
    {
        foreach (var entry in Entries)
        {
            if (entry.Value == dialect)
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>The entry named <paramref name="name"/> (any case), or null.</summary>
    public static DialectEntry? Find(string name)
    {
        foreach (var entry in Entries)
        {
            if (string.Equals(entry.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>The entry whose settings are of type <paramref name="optionsType"/>, or null.</summary>
    public static DialectEntry? FindByOptions(Type optionsType)
    {
        foreach (var entry in Entries)
        {
            if (entry.OptionsType == optionsType)
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>The entry for a validated dialect value.</summary>
    public static DialectEntry For(ProtocolDialect dialect) =>
        Find(dialect) ?? throw new ArgumentException($"No dialect has the value {(int)dialect}.", nameof(dialect));

    /// <summary>What a handshake error code is about, in whichever dialect defines it (their codes do not overlap).</summary>
    public static HandshakeRefusalKind RefusalOf(string code)
    {
        foreach (var entry in Entries)
        {
            if (entry.Refusals.TryGetValue(code, out var kind))
            {
                return kind;
            }
        }

        return HandshakeRefusalKind.Other;
    }
}
