using System.Security.Cryptography;
using System.Text;
using Talos.Actors.Pipeline;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Talos.Vault;
using Xunit;

namespace Talos.Tests.Actors;

/// <summary>
/// The chunk identity (content-keyed reuse) is only as good as its two claims: a field a stage is said to ignore does not
/// change that stage's output, and a stage whose output changes gets a new algorithm version. Both are checked by
/// rendering every stage of a small shot without actors (<see cref="StageChain"/>).
/// </summary>
public sealed class ChunkIdentityTests(ChunkIdentityTests.Rendered rendered) : IClassFixture<ChunkIdentityTests.Rendered>
{
    /// <summary>One vault and one rendered chain of the base shot for the whole class.</summary>
    public sealed class Rendered : IDisposable
    {
        readonly string _dir = Repo.TempDir("identity");
        public BlobVault Vault { get; }
        public Dictionary<string, List<string>> Chain { get; }

        public Rendered()
        {
            Vault = BlobVault.Open(Path.Combine(_dir, "vault"));
            Chain = StageChain.Run(Base(), Vault);
        }

        public void Dispose()
        {
            Vault.Dispose();
            try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        }
    }

    readonly BlobVault _vault = rendered.Vault;

    static ShotSpec Base() => Samples.Shot(width: 96, height: 54, fps: 12, seconds: 1) with { Mood = "calm" };

    /// <summary>A change to each field a stage may ignore (by its path in <see cref="StageSettings.Ignored"/>).</summary>
    static ShotSpec Vary(ShotSpec s, string path) => path switch
    {
        "id" => s with { Id = "other-shot" },
        "production" => s with { Production = "another-film" },
        "sequence" => s with { Sequence = 9 },
        "title" => s with { Title = "INT. LIGHTHOUSE - DAY" },
        "transition" => s with { Transition = "dissolve" },
        "dialogue" => s with { Dialogue = [new DialogueLine("TOBIAS", "Not yet.", 2, 8)] },
        "audio" => s with { Audio = new AudioSpec("score.wav", 0.5) },
        "sounds" => s with { Sounds = [new SoundCue("door-slam", 3), new SoundCue("rain", 0)] },
        "loudness" => s with { Loudness = -14 },
        "palette" => s with { Palette = new Dictionary<string, string> { ["shirt"] = "#20c040", ["skin"] = "#402010" } },
        "characters[].palette" => s with { Characters = [s.Characters[0] with { Palette = new Dictionary<string, string> { ["shirt"] = "#2060c0" } }, .. s.Characters.Skip(1)] },
        "mood" => s with { Mood = "fear" },
        "background" => s with { Background = "night" },
        "plate" => s with { Plate = new PlateSpec { GroundLine = 0.7, Layers = [new PlateLayer("plates/sky.png", 0.2)] } },
        "lighting" => s with { Lighting = "moody" },
        "effects" => s with { Effects = [new EffectSpec { Type = "fire", X = 0.3, Y = 0.7, StartFrame = 0, Strength = 1.5 }] },
        "delivery" => s with { Delivery = "hdr10" },
        "layers" => s with { Layers = "exr" },
        "flux" => s with { Flux = "rife" },
        "echoBudget" => s with { EchoBudget = 50 },
        "camera" => s with { Camera = [new CameraMove { Frame = 0, Move = "close", Zoom = 1.4, PanX = 0.1 }] },
        _ => throw new ArgumentException($"no variation for '{path}'"),
    };

    public static TheoryData<string> StagesWithIgnoredFields() => new(Stages.All.Where(s => StageSettings.Ignored[s].Count > 0));

    [Theory]
    [MemberData(nameof(StagesWithIgnoredFields))]
    public void A_field_a_stage_ignores_does_not_change_its_output(string stage)
    {
        var spec = Base();
        var chain = rendered.Chain;
        foreach (var path in StageSettings.Ignored[stage])
        {
            var varied = Vary(spec, path);
            Assert.NotEqual(StageSettings.For(Stages.Prism, spec).ToJsonString(), StageSettings.For(Stages.Prism, varied).ToJsonString());
            Assert.Equal(StageSettings.For(stage, spec).ToJsonString(), StageSettings.For(stage, varied).ToJsonString());
            var again = StageChain.RunStage(stage, varied, _vault, chain);
            Assert.True(chain[stage].SequenceEqual(again), $"{stage} is said to ignore '{path}', but its output changed with it");
        }
    }

    [Fact]
    public void A_field_a_stage_reads_changes_its_identity_and_what_it_ignores_does_not()
    {
        var spec = Base();
        var runner = StageRunners.Create()[Stages.Chroma];
        var plan = runner.Plan(spec, 4)[0];
        string Id(ShotSpec s) => ChunkIdentity.Of(runner, Job(s, Stages.Chroma, [plan]), plan, new Dictionary<int, string>(), _vault)!;
        Assert.NotEqual(Id(spec), Id(Vary(spec, "characters[].palette")));
        Assert.NotEqual(Id(spec), Id(Vary(spec, "mood")));
        Assert.Equal(Id(spec), Id(Vary(spec, "lighting")));
        Assert.Equal(Id(spec), Id(spec with { Id = "another", Production = "elsewhere" }));
        // The same chunk after ECHO asked for other gains on its frames is another chunk.
        var gained = Job(spec, Stages.Chroma, [plan]) with { FrameGains = new Dictionary<int, float> { [plan.FirstFrame] = 1.2f } };
        Assert.NotEqual(Id(spec), ChunkIdentity.Of(runner, gained, plan, new Dictionary<int, string>(), _vault));
    }

    [Fact]
    public void Flux_reads_its_inbetweener_and_classic_keeps_the_identity_of_a_spec_that_does_not_say()
    {
        var spec = Base();
        var runner = StageRunners.Create()[Stages.Flux];
        var plan = runner.Plan(spec, 4)[0];
        string Id(ShotSpec s) => ChunkIdentity.Of(runner, Job(s, Stages.Flux, [plan]), plan, new Dictionary<int, string>(), _vault)!;
        Assert.NotEqual(Id(spec), Id(spec with { Flux = ShotDrawing.Rife }));
        Assert.Equal(Id(spec), Id(spec with { Flux = ShotSpec.ClassicFlux }));
        Assert.DoesNotContain("flux", StageSettings.For(Stages.Flux, spec).ToJsonString());
    }

    [Fact]
    public void Upscale_counts_in_every_stage_only_when_it_is_not_1()
    {
        var spec = Base();
        foreach (var runner in StageRunners.Create().Values)
        {
            var plan = runner.Plan(spec, 4)[0];
            string Id(ShotSpec s) => ChunkIdentity.Of(runner, Job(s, runner.Stage, [plan]), plan, new Dictionary<int, string>(), _vault)!;
            Assert.Equal(Id(spec), Id(spec with { Upscale = 1 }));
            Assert.NotEqual(Id(spec), Id(spec with { Upscale = 2 }));
        }
    }

    [Fact]
    public void An_asset_named_by_the_spec_counts_by_its_content_and_an_unknown_one_leaves_the_identity_unknown()
    {
        var spec = Base() with { Audio = new AudioSpec("score.wav") };
        var runner = StageRunners.Create()[Stages.Prism];
        var plan = runner.Plan(spec, 4)[0];
        string? Id() => ChunkIdentity.Of(runner, Job(spec, Stages.Prism, [plan]), plan, new Dictionary<int, string>(), _vault);
        Assert.Null(Id());
        _vault.PutAsset("score.wav", [1, 2, 3], "audio"); // (the class's vault: no other test names this asset)
        var first = Id();
        _vault.PutAsset("score.wav", [1, 2, 4], "audio");
        Assert.NotNull(first);
        Assert.NotEqual(first, Id());
    }

    [Fact]
    public void A_sequential_stage_chunk_has_an_identity_only_once_its_predecessors_are_recorded()
    {
        var spec = Base();
        var runner = StageRunners.Create()[Stages.Stokes];
        var plans = runner.Plan(spec, 4);
        Assert.True(plans.Count > 1);
        var job = Job(spec, Stages.Stokes, plans);
        Assert.NotNull(ChunkIdentity.Of(runner, job, plans[0], new Dictionary<int, string>(), _vault));
        Assert.Null(ChunkIdentity.Of(runner, job, plans[1], new Dictionary<int, string>(), _vault));
        var a = ChunkIdentity.Of(runner, job, plans[1], new Dictionary<int, string> { [0] = new string('a', 64) }, _vault);
        var b = ChunkIdentity.Of(runner, job, plans[1], new Dictionary<int, string> { [0] = new string('b', 64) }, _vault);
        Assert.NotNull(a);
        Assert.NotEqual(a, b);
    }

    /// <summary>
    /// The golden chunks: every stage of the small shot, digested by its decoded pixels and metadata (so a new frame codec
    /// does not count, and a changed picture does). When this fails because a stage's code now draws something else on
    /// purpose, bump that stage's number in <see cref="StageVersions"/> and put the new digest here.
    /// </summary>
    [Fact]
    public void Every_stage_renders_its_golden_chunk_or_its_algorithm_version_was_bumped()
    {
        var golden = new Dictionary<string, (int Version, string Digest)>
        {
            [Stages.Prism] = (2, "2dca5aeb2e651604"), [Stages.Axis] = (3, "eda6276a329500b7"), [Stages.Flux] = (4, "c09ee4f38214e42b"),
            [Stages.Chroma] = (2, "10bb5f9c9e8bd6aa"), [Stages.Raygen] = (2, "f5960fcbd7150cc7"), [Stages.Stokes] = (3, "8e6aeb33351ceb76"),
            [Stages.Anima] = (3, "e0e16eba5a872a8d"),
        };
        var chain = rendered.Chain;
        var wrong = new List<string>();
        foreach (var (stage, (version, digest)) in golden)
        {
            var actual = StageChain.Digest(_vault, chain[stage]);
            if (actual != digest || version != StageVersions.Of(stage))
                wrong.Add($"{stage}: version {StageVersions.Of(stage)} (golden {version}), digest {actual} (golden {digest})");
        }
        Assert.True(wrong.Count == 0, "stage outputs changed; bump the stage's version in StageVersions and record the new golden digest:\n" + string.Join("\n", wrong));
    }

    /// <summary>
    /// Identities are written field by field now (the spec's JSON made once per spec): every stage's identity is still the
    /// digest of the canonical document they were computed from before (a JsonObject of the same fields, its settings
    /// <see cref="ReferenceSettings"/>), so results already in a vault's chunk index stay reusable. Specs with the parts
    /// a stage drops (character palettes, a plate, dialogue, non-ASCII text), inputs, assets, gains and a sequential stage.
    /// </summary>
    [Fact]
    public void Identities_are_the_digests_of_the_canonical_documents_they_always_were()
    {
        _vault.PutAsset("theme.wav", [7, 7, 7], "audio"); // (the class's vault: no other test names these assets)
        _vault.PutAsset("plates/sky.png", [8, 8, 8], "image");
        var specs = new[]
        {
            Base(),
            Vary(Vary(Vary(Base(), "characters[].palette"), "plate"), "dialogue") with { Title = "INT. LIGHTHOUSE — NIGHT \"Ärger\" <&>" },
            Vary(Vary(Base(), "effects"), "camera") with { Audio = new AudioSpec("theme.wav", 0.25), Palette = new Dictionary<string, string> { ["sky"] = "#102030" } },
        };
        int compared = 0;
        foreach (var spec in specs)
            foreach (var runner in StageRunners.Create().Values)
            {
                var plans = runner.Plan(spec, 4);
                var inputs = new Dictionary<string, IReadOnlyList<string>> { [Stages.Prism] = ["p0"], [Stages.Axis] = ["a0", "a1"] };
                var gains = new Dictionary<int, float> { [plans[0].FirstFrame] = 1.25f, [plans[0].FirstFrame + 1] = 0.8f, [10_000] = 2f };
                var job = Job(spec, runner.Stage, plans) with { Inputs = inputs, Revision = 2, FrameGains = gains };
                var own = new Dictionary<int, string> { [0] = new string('c', 64), [1] = new string('d', 64) };
                foreach (var plan in plans.Take(3))
                {
                    var expected = ReferenceIdentity(runner, job, plan, own);
                    Assert.Equal(expected, ChunkIdentity.Of(runner, job, plan, own, _vault));
                    compared += expected is null ? 0 : 1;
                }
            }
        Assert.True(compared > 20);
    }

    /// <summary>A stage's settings as they were computed before they were written field by field: the spec's JSON tree with
    /// what the stage does not read removed (<see cref="StageSettings.Ignored"/>).</summary>
    static System.Text.Json.Nodes.JsonObject ReferenceSettings(string stage, ShotSpec spec, System.Text.Json.JsonSerializerOptions web)
    {
        var node = System.Text.Json.JsonSerializer.SerializeToNode(spec, web)!.AsObject();
        foreach (var path in StageSettings.Ignored.TryGetValue(stage, out var ignored) ? ignored : [])
        {
            if (!path.StartsWith("characters[].", StringComparison.Ordinal)) { node.Remove(path); continue; }
            if (node["characters"] is System.Text.Json.Nodes.JsonArray chars)
                foreach (var c in chars.OfType<System.Text.Json.Nodes.JsonObject>()) c.Remove(path["characters[].".Length..]);
        }
        return node;
    }

    /// <summary>How an identity was computed before it was written field by field (a JsonObject, serialized, digested).</summary>
    string? ReferenceIdentity(IStageRunner runner, StageJob job, ChunkPlan plan, IReadOnlyDictionary<int, string> ownCompleted)
    {
        var web = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        string Digest(System.Text.Json.Nodes.JsonObject doc) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(doc, web)));
        var assets = new System.Text.Json.Nodes.JsonObject();
        foreach (var name in ChunkIdentity.AssetNames(job.Spec).Distinct().Order(StringComparer.Ordinal))
        {
            if (_vault.ResolveAsset(name) is not { } hash) return null;
            assets[name] = hash;
        }
        var inputs = new System.Text.Json.Nodes.JsonObject();
        foreach (var (stage, hashes) in job.Inputs.Where(kv => runner.Stage == Stages.Prism || kv.Key != Stages.Prism).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            inputs[stage] = new System.Text.Json.Nodes.JsonArray(hashes.Select(h => (System.Text.Json.Nodes.JsonNode)h!).ToArray());
        var doc = new System.Text.Json.Nodes.JsonObject
        {
            ["stage"] = runner.Stage, ["version"] = StageVersions.Of(runner.Stage), ["settings"] = ReferenceSettings(runner.Stage, job.Spec, web),
            ["assets"] = assets, ["echoRound"] = job.Revision, ["inputs"] = inputs,
        };
        if (runner.Stage == Stages.Echo && Talos.Actors.Pipeline.Stages.EchoStage.Deep is not null) doc["echoModel"] = Talos.Gpu.Protoforge.ModelRegistry.ResNet18.FileSha256;
        Assert.False(runner.Stage == Stages.Flux && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(OnnxInterpolator.EnvironmentVariable)),
            "this reference leaves out the FLUX model of TALOS_FLUX_MODEL");
        var own = new System.Text.Json.Nodes.JsonArray();
        if (runner.Sequential)
            for (int c = 0; c < plan.Chunk; c++)
            {
                if (!ownCompleted.TryGetValue(c, out var h)) return null;
                own.Add(h);
            }
        var g = new System.Text.Json.Nodes.JsonObject();
        foreach (var (frame, gain) in job.FrameGains.Where(x => x.Key >= plan.FirstFrame && x.Key < plan.FirstFrame + plan.FrameCount).OrderBy(x => x.Key))
            g[frame.ToString(System.Globalization.CultureInfo.InvariantCulture)] = gain;
        return Digest(new System.Text.Json.Nodes.JsonObject
        {
            ["job"] = Digest(doc), ["chunk"] = new System.Text.Json.Nodes.JsonArray(plan.Chunk, plan.FirstFrame, plan.FrameCount), ["gains"] = g, ["own"] = own,
        });
    }

    static StageJob Job(ShotSpec spec, string stage, IReadOnlyList<ChunkPlan> todo) =>
        new("test--sh01", stage, spec, todo, new Dictionary<string, IReadOnlyList<string>>(), new Dictionary<int, string>(), 0, new Dictionary<int, float>());
}

/// <summary>Every stage of one shot run in order without actors, as the farm would (chunks of four frames).</summary>
public static class StageChain
{
    public const int ChunkFrames = 4;

    public static Dictionary<string, List<string>> Run(ShotSpec spec, IBlobVault vault)
    {
        var done = new Dictionary<string, List<string>>();
        foreach (var stage in Stages.All) done[stage] = RunStage(stage, spec, vault, done);
        return done;
    }

    /// <summary>One stage's chunks (their manifest hashes) with the given upstream manifests.</summary>
    public static List<string> RunStage(string stage, ShotSpec spec, IBlobVault vault, IReadOnlyDictionary<string, List<string>> upstream)
    {
        var runner = StageRunners.Create()[stage];
        var inputs = upstream.Where(kv => kv.Key != stage).ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value);
        var own = new Dictionary<int, string>();
        var hashes = new List<string>();
        foreach (var plan in runner.Plan(spec, ChunkFrames))
        {
            var ctx = new ChunkContext(spec, plan, vault, inputs, own, 0, new Dictionary<int, float>(), CancellationToken.None);
            var hash = runner.Run(ctx).Store(vault);
            own[plan.Chunk] = hash;
            hashes.Add(hash);
        }
        return hashes;
    }

    /// <summary>A digest of what the manifests hold: each frame's blobs by name, decoded when they are frames, and its metadata.</summary>
    public static string Digest(IBlobVault vault, IEnumerable<string> manifests)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var m in manifests.Select(h => ChunkManifest.Load(vault, h)))
            foreach (var f in m.Frames.OrderBy(f => f.Frame))
            {
                sha.AppendData(Encoding.UTF8.GetBytes($"{f.Frame}|{f.Meta}|"));
                foreach (var (name, hash) in f.Blobs.OrderBy(b => b.Key, StringComparer.Ordinal))
                {
                    sha.AppendData(Encoding.UTF8.GetBytes(name + "="));
                    sha.AppendData(Pixels(vault.Get(hash)));
                }
            }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }

    static byte[] Pixels(byte[] blob)
    {
        try
        {
            var (kind, _, _) = FrameCodec.ReadHeader(blob);
            static byte[] Floats(params float[][] planes) => planes.SelectMany(p => System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.AsSpan()).ToArray()).ToArray();
            switch (kind)
            {
                case FrameCodec.Kind.Gray8: return Floats(FrameCodec.DecodeGray(blob).Data);
                case FrameCodec.Kind.Rgb24: return FrameCodec.DecodeRgb24(blob).rgb;
                default:
                    var img = FrameCodec.DecodeRgba(blob);
                    return Floats(img.R, img.G, img.B, img.A);
            }
        }
        catch (InvalidDataException) { return blob; } // not a frame (a plan, a video): its bytes
    }
}
