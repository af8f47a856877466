using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Talos.Gpu.Prism;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Prism;

/// <summary>The LLM prompt path against a fake OpenAI-compatible server on 127.0.0.1 that the test starts.</summary>
public sealed class LlmPromptTests
{
    const string Prompt = "Mara walks along the harbour at dusk. \"The tide is turning,\" Mara says.";

    sealed class FakeLlm : IAsyncDisposable
    {
        readonly LocalHttpServer _server;
        public string Url => _server.BaseUrl + "/v1";
        public List<(string Auth, JsonNode Body)> Requests { get; } = [];

        public FakeLlm(Func<JsonNode, (int Status, string Body)> answer) => _server = new LocalHttpServer(async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.InputStream);
            var body = JsonNode.Parse(await reader.ReadToEndAsync())!;
            lock (Requests) Requests.Add((ctx.Request.Headers["Authorization"] ?? "", body));
            var (status, text) = ctx.Request.Url!.AbsolutePath == "/v1/chat/completions" ? answer(body) : (404, "not here");
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(text));
        });

        public ValueTask DisposeAsync() => _server.DisposeAsync();
    }

    static string Completion(string content) =>
        new JsonObject { ["id"] = "x", ["object"] = "chat.completion", ["choices"] = new JsonArray { new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content } } } }.ToJsonString();

    /// <summary>What a model might answer: a different, valid graph (so the test can tell it from the rule-based one).</summary>
    static string ModelGraph() => PromptParser.Build("Teo runs through the rain at night. \"Wait for me!\" Teo shouts.").ToJson();

    [Fact]
    public async Task A_valid_answer_becomes_the_scene_graph_and_the_request_is_openai_shaped()
    {
        await using var llm = new FakeLlm(_ => (200, Completion("```json\n" + ModelGraph() + "\n```")));
        var warnings = new List<string>();
        var graph = await LlmPrompt.BuildAsync(Prompt, new LlmSettings(llm.Url, "tiny-model", "sk-test"), warnings.Add, TestContext.Current.CancellationToken);
        Assert.Empty(warnings);
        Assert.Equal(ModelGraph(), graph.ToJson());
        var (auth, body) = Assert.Single(llm.Requests);
        Assert.Equal("Bearer sk-test", auth);
        Assert.Equal("tiny-model", (string?)body["model"]);
        Assert.Equal(0, (int)body["temperature"]!);
        Assert.Equal(Prompt, (string?)body["messages"]![1]!["content"]);
        Assert.Contains("\"scenes\"", (string?)body["messages"]![0]!["content"]); // the schema goes with the instructions
    }

    [Theory]
    [InlineData(200, "this is not json")]
    [InlineData(200, "{\"choices\": []}")]
    [InlineData(200, "COMPLETION:{\"source\": \"prompt\", \"scenes\": []}")]
    [InlineData(200, "COMPLETION:I would love to help with your film!")]
    [InlineData(500, "{\"error\": \"overloaded\"}")]
    public async Task Junk_or_errors_fall_back_to_the_rule_based_parser_with_a_warning(int status, string answer)
    {
        var text = answer.StartsWith("COMPLETION:") ? Completion(answer["COMPLETION:".Length..]) : answer;
        await using var llm = new FakeLlm(_ => (status, text));
        var warnings = new List<string>();
        var graph = await LlmPrompt.BuildAsync(Prompt, new LlmSettings(llm.Url + "/chat/completions", "m"), warnings.Add, TestContext.Current.CancellationToken);
        Assert.Equal(PromptParser.Build(Prompt).ToJson(), graph.ToJson());
        var warning = Assert.Single(warnings);
        Assert.StartsWith($"LLM at {llm.Url}/chat/completions: ", warning);
        Assert.EndsWith("using the rule-based prompt parser instead", warning);
        if (status == 500) Assert.Contains("HTTP 500", warning);
    }

    [Fact]
    public async Task An_unreachable_endpoint_falls_back_and_bad_settings_are_errors()
    {
        var warnings = new List<string>();
        var graph = await LlmPrompt.BuildAsync(Prompt, new LlmSettings($"http://127.0.0.1:{LocalHttpServer.FreePort()}/v1", "m", TimeoutSeconds: 5), warnings.Add, TestContext.Current.CancellationToken);
        Assert.Equal(PromptParser.Build(Prompt).ToJson(), graph.ToJson());
        Assert.Contains("unreachable", Assert.Single(warnings));
        await Assert.ThrowsAsync<PrismException>(() => LlmPrompt.BuildAsync(Prompt, new LlmSettings("ftp://x", "m"), _ => { }));
        await Assert.ThrowsAsync<PrismException>(() => LlmPrompt.BuildAsync("", new LlmSettings("http://127.0.0.1:1/v1", "m"), _ => { }));
    }

    [Fact]
    public async Task The_cli_prism_command_uses_the_llm_and_reads_the_key_from_the_environment()
    {
        await using var llm = new FakeLlm(_ => (200, Completion(ModelGraph())));
        Environment.SetEnvironmentVariable("TALOS_LLM_KEY", "sk-from-env"); // inherited by the talos process
        var (code, stdout, stderr) = await BoardTests.Talos("prism", Prompt, "--json", "--llm-url", llm.Url, "--llm-model", "m");
        Environment.SetEnvironmentVariable("TALOS_LLM_KEY", null);
        Assert.True(code == 0, stderr);
        Assert.Equal(ModelGraph(), stdout.TrimEnd());
        Assert.Equal("Bearer sk-from-env", Assert.Single(llm.Requests).Auth);
        var (code2, stdout2, stderr2) = await BoardTests.Talos("prism", Prompt, "--json", "--llm-url", llm.Url);
        Assert.Equal(2, code2);
        Assert.Equal("error: --llm-url needs --llm-model", stderr2.Trim());
        _ = stdout2;
        _ = JsonDocument.Parse(stdout);
    }
}
