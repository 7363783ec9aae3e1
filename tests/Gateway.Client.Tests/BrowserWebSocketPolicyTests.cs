using System.Net.WebSockets;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Gateway.Client.Dialects;
using Gateway.Client.Engine;

namespace Gateway.Client.Tests;

/// <summary>
/// What the client does differently in a browser (Blazor WebAssembly), decided both ways on the server CLR: the browser
/// decisions take <c>isBrowser</c>, and the public behaviour asks <see cref="OperatingSystem.IsBrowser"/>, which is false here.
/// </summary>
public class BrowserWebSocketPolicyTests
{
    private static GatewayClientOptions Valid() => new() { Url = new Uri("wss://gateway.example/ws"), AgentId = "support" };

    [Fact]
    public void Tests_run_outside_a_browser()
    {
        Assert.False(BrowserWebSocketPolicy.IsBrowser);
    }

    [Fact]
    public void In_a_browser_a_header_token_is_refused_naming_the_option_and_the_placement_that_works()
    {
        var options = Valid();
        options.TokenPlacement = TokenPlacement.AuthorizationHeader;

        var refusal = BrowserWebSocketPolicy.Refusal(options, tokenInUpgrade: true, isBrowser: true);

        Assert.NotNull(refusal);
        Assert.Equal("TokenPlacement", refusal.Value.Option);
        Assert.Contains("cannot set headers", refusal.Value.Problem);
        Assert.Contains("TokenPlacement.QueryString", refusal.Value.Problem);
    }

    [Fact]
    public void In_a_browser_a_header_placement_is_no_problem_for_a_dialect_that_sends_the_token_in_a_frame()
    {
        var options = Valid();
        options.TokenPlacement = TokenPlacement.AuthorizationHeader;

        Assert.Null(BrowserWebSocketPolicy.Refusal(options, tokenInUpgrade: false, isBrowser: true));
    }

    [Theory]
    [InlineData(TokenPlacement.QueryString)]
    [InlineData(TokenPlacement.Both)]
    public void In_a_browser_a_placement_with_the_query_parameter_is_accepted(TokenPlacement placement)
    {
        var options = Valid();
        options.TokenPlacement = placement;

        Assert.Null(BrowserWebSocketPolicy.Refusal(options, tokenInUpgrade: true, isBrowser: true));
    }

    [Fact]
    public void In_a_browser_a_certificate_callback_is_refused_because_the_browser_alone_validates_tls()
    {
        var options = Valid();
        options.RemoteCertificateValidationCallback = (_, _, _, _) => true;

        var refusal = BrowserWebSocketPolicy.Refusal(options, tokenInUpgrade: true, isBrowser: true);

        Assert.NotNull(refusal);
        Assert.Equal("RemoteCertificateValidationCallback", refusal.Value.Option);
        Assert.Contains("validates the server's certificate itself", refusal.Value.Problem);
    }

    [Fact]
    public void In_a_browser_a_websocket_setting_the_browser_lacks_is_refused_with_what_the_browser_said()
    {
        var options = Valid();
        // What the browser's ClientWebSocketOptions does for a header, a proxy or a keep-alive.
        options.ConfigureWebSocket = _ => throw new PlatformNotSupportedException("Operation is not supported on this platform.");

        var refusal = BrowserWebSocketPolicy.Refusal(options, tokenInUpgrade: true, isBrowser: true);

        Assert.NotNull(refusal);
        Assert.Equal("ConfigureWebSocket", refusal.Value.Option);
        Assert.Contains("Operation is not supported on this platform.", refusal.Value.Problem);
        Assert.Contains("sub-protocols can", refusal.Value.Problem);
    }

    [Fact]
    public void In_a_browser_a_websocket_setting_the_browser_has_is_accepted_after_one_dry_run()
    {
        var runs = 0;
        var options = Valid();
        options.ConfigureWebSocket = socket =>
        {
            runs++;
            socket.AddSubProtocol("gateway.v2");
        };

        Assert.Null(BrowserWebSocketPolicy.Refusal(options, tokenInUpgrade: true, isBrowser: true));
        Assert.Equal(1, runs);
    }

    [Fact]
    public void Outside_a_browser_nothing_is_refused_and_the_websocket_callback_is_not_run_early()
    {
        var runs = 0;
        var options = Valid();
        options.TokenPlacement = TokenPlacement.AuthorizationHeader;
        options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        options.ConfigureWebSocket = _ =>
        {
            runs++;
            throw new PlatformNotSupportedException();
        };

        Assert.Null(BrowserWebSocketPolicy.Refusal(options, tokenInUpgrade: true, isBrowser: false));
        Assert.Equal(0, runs);
    }

    [Fact]
    public void Outside_a_browser_the_public_validation_still_accepts_header_tokens_tls_callbacks_and_websocket_settings()
    {
        var options = Valid();
        options.TokenPlacement = TokenPlacement.AuthorizationHeader;
        options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        options.ConfigureWebSocket = socket => socket.SetRequestHeader("X-Trace", "1");

        options.Validate();
        using var client = new GatewayClient(options);
    }

    [Theory]
    [InlineData(TokenPlacement.QueryString, false, TokenPlacement.QueryString)]
    [InlineData(TokenPlacement.AuthorizationHeader, false, TokenPlacement.AuthorizationHeader)]
    [InlineData(TokenPlacement.Both, false, TokenPlacement.Both)]
    [InlineData(TokenPlacement.QueryString, true, TokenPlacement.QueryString)]
    [InlineData(TokenPlacement.Both, true, TokenPlacement.QueryString)]
    public void The_token_goes_where_configured_except_that_a_browser_drops_the_header_of_Both(TokenPlacement configured, bool isBrowser, TokenPlacement expected)
    {
        Assert.Equal(expected, BrowserWebSocketPolicy.Placement(configured, isBrowser));
    }

    [Fact]
    public void Dropping_the_header_of_Both_is_said_once_in_a_browser_and_never_elsewhere()
    {
        var both = Valid();
        both.TokenPlacement = TokenPlacement.Both;

        Assert.Contains("query parameter only", BrowserWebSocketPolicy.Adjustments(both, tokenInUpgrade: true, isBrowser: true));
        Assert.Null(BrowserWebSocketPolicy.Adjustments(both, tokenInUpgrade: true, isBrowser: false));
        Assert.Null(BrowserWebSocketPolicy.Adjustments(both, tokenInUpgrade: false, isBrowser: true));
        Assert.Null(BrowserWebSocketPolicy.Adjustments(Valid(), tokenInUpgrade: true, isBrowser: true));
    }

    [Theory]
    [InlineData(true, false, true)]
    [InlineData(true, true, false)]
    [InlineData(false, false, false)]
    [InlineData(false, true, false)]
    public void The_socket_keep_alive_is_used_only_outside_a_browser(bool available, bool isBrowser, bool expected)
    {
        Assert.Equal(expected, BrowserWebSocketPolicy.SocketKeepAlive(available, isBrowser));
    }

    [Fact]
    public void In_a_browser_a_failed_connect_says_that_the_browser_does_not_tell_why()
    {
        var reason = BrowserWebSocketPolicy.UnexplainedConnectFailure(isBrowser: true);

        Assert.NotNull(reason);
        Assert.Contains("does not tell a page why", reason);
        Assert.Contains("HTTP 401", reason);
        Assert.Null(BrowserWebSocketPolicy.UnexplainedConnectFailure(isBrowser: false));
    }

    [Fact]
    public void Outside_a_browser_Praxis_keeps_the_socket_keep_alive_where_the_framework_has_it()
    {
        var options = new GatewayClientOptions { Url = new Uri("ws://127.0.0.1:8000/ws/events"), Dialect = ProtocolDialect.Praxis };

        var dialect = DialectCatalog.For(ProtocolDialect.Praxis).Create(options);

        Assert.Equal(LivenessStyle.SocketKeepAlive, dialect.Liveness); // tests run on net10.0
    }

    /// <summary>The catalog's flag must match what each dialect really does with the token, or the browser refusal would be wrong.</summary>
    [Fact]
    public void Each_dialect_says_truly_whether_it_puts_the_token_on_the_upgrade()
    {
        Assert.All(DialectCatalog.Entries, entry =>
        {
            var options = new GatewayClientOptions { Url = new Uri("ws://127.0.0.1:8765/ws"), Dialect = entry.Value, AgentId = "support", TokenPlacement = TokenPlacement.QueryString };
            using var socket = new ClientWebSocket();

            var url = entry.Create(options).PrepareConnect(options, "s3cret", socket.Options);

            Assert.Equal(entry.CarriesTokenInUpgrade, url.Query.Contains("token=s3cret", StringComparison.Ordinal));
        });
    }

    /// <summary>
    /// The platform-compatibility analyzer is what keeps browser-unsupported calls out (CA1416, an error under
    /// warnings-as-errors): the library must declare the browser as a platform it supports, and nothing may silence the rule.
    /// </summary>
    [Fact]
    public void The_library_is_analyzed_for_the_browser_and_nothing_silences_the_analyzer()
    {
        var root = RepositoryRoot();
        var project = XDocument.Load(Path.Combine(root, "src/Gateway.Client/Gateway.Client.csproj"));
        Assert.Contains(project.Descendants("SupportedPlatform"), item => (string?)item.Attribute("Include") == "browser");

        var settings = new[] { "src/Gateway.Client/Gateway.Client.csproj", "Directory.Build.props", "Directory.Build.targets", ".editorconfig" }
            .Select(path => Path.Combine(root, path))
            .Concat(Directory.GetFiles(Path.Combine(root, "src/Gateway.Client"), "*.cs", SearchOption.AllDirectories)
                .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
            .Where(File.Exists);
        var silencing = new Regex(@"<(NoWarn|WarningsNotAsErrors)>[^<]*CA1416|#pragma\s+warning\s+disable[^\n]*CA1416|SuppressMessage\([^)]*CA1416|dotnet_diagnostic\.CA1416\.severity", RegexOptions.IgnoreCase);
        Assert.All(settings, path => Assert.False(silencing.IsMatch(File.ReadAllText(path)), $"{path} silences CA1416"));
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

        throw new InvalidOperationException("The repository root was not found above " + AppContext.BaseDirectory);
    }
}
