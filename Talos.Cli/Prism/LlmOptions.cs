using System.CommandLine;
using Talos.Gpu.Prism;

namespace Talos.Cli.Prism;

/// <summary>--llm-url / --llm-model (key from TALOS_LLM_KEY) for prompts.</summary>
public sealed class LlmOptions
{
    public const string KeyVariable = "TALOS_LLM_KEY";
    readonly Option<string?> _url = new("--llm-url") { Description = "OpenAI-compatible chat endpoint for prompts (key from $" + KeyVariable + ")" };
    readonly Option<string?> _model = new("--llm-model") { Description = "model name for --llm-url" };

    public static LlmOptions Create() => new();

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(_url);
        cmd.Options.Add(_model);
    }

    public LlmSettings? Read(ParseResult parse)
    {
        var url = parse.GetValue(_url);
        var model = parse.GetValue(_model);
        if (url is null) return model is null ? null : throw new UsageException("--llm-model needs --llm-url");
        if (string.IsNullOrWhiteSpace(model)) throw new UsageException("--llm-url needs --llm-model");
        return new LlmSettings(url, model, Environment.GetEnvironmentVariable(KeyVariable));
    }
}
