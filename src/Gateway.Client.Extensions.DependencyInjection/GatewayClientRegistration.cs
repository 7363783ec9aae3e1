namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>One registered client: its name and what to do to each new instance (add a gap handler, subscribe to events).</summary>
internal sealed class GatewayClientRegistration
{
    public GatewayClientRegistration(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public List<Action<IServiceProvider, GatewayClient>> ClientActions { get; } = new();
}
