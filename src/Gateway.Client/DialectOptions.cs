using Gateway.Client.OpenClaw;

namespace Gateway.Client;

/// <summary>
/// The settings of one dialect (for example <see cref="OpenClawOptions"/>), held by
/// <see cref="GatewayClientOptions"/> and read with <see cref="GatewayClientOptions.GetDialectOptions{T}"/>.
/// Each dialect validates, copies and binds its own settings; only this library defines dialects.
/// </summary>
public abstract class DialectOptions
{
    private protected DialectOptions()
    {
    }

    /// <summary>
    /// Reads the settings from configuration-style keys relative to the dialect's section (its enum name,
    /// for example <c>OpenClaw:ClientId</c> is <c>ClientId</c> here). A list is read from <c>Key:0</c>,
    /// <c>Key:1</c>, … or from one comma-separated <c>Key</c>. Keys that are absent keep their value.
    /// No reflection: trimming- and AOT-safe.
    /// </summary>
    /// <param name="read">Returns the value of a key, or null when it is absent.</param>
    /// <param name="sectionPath">The section's full path, for error messages (for example <c>Gateway:OpenClaw</c>).</param>
    /// <exception cref="InvalidOperationException">A value does not parse; the message names its full key.</exception>
    public void Bind(Func<string, string?> read, string? sectionPath = null) =>
        BindCore(new DialectSettingsReader(Guard.NotNull(read), sectionPath));

    internal abstract void BindCore(DialectSettingsReader settings);

    /// <summary>A deep copy, so later changes cannot reach a running client.</summary>
    internal abstract DialectOptions Copy();

    /// <summary>The offending setting (relative to <see cref="GatewayClientOptions"/>, for example <c>OpenClaw.Scopes</c>) and the problem, or null.</summary>
    internal abstract (string Option, string Problem)? Validate();
}
