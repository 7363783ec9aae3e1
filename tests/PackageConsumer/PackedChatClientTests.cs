using Gateway.Client;
using Gateway.Client.AI;
using Gateway.Client.Testing;
using Microsoft.Extensions.AI;

namespace PackageConsumer;

/// <summary>Gateway.Client.AI from its package: an IChatClient over the embedded gateway's echo agent (net8.0 too).</summary>
public class PackedChatClientTests
{
    [Fact]
    public async Task The_chat_client_from_the_package_streams_a_turn()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(new GatewayClientOptions { Url = gateway.Url, AgentId = "support" });
        await client.ConnectAsync(deadline.Token);
        using var chat = client.AsIChatClient();

        var text = "";
        ChatFinishReason? finish = null;
        await foreach (var update in chat.GetStreamingResponseAsync("from the package", cancellationToken: deadline.Token))
        {
            text += update.Text;
            finish ??= update.FinishReason;
        }

        Assert.Equal("echo: from the package", text);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.Equal("gateway.praisonai", chat.GetService<ChatClientMetadata>()!.ProviderName);
    }
}
