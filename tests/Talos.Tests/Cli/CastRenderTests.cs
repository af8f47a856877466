using Talos.Cli;
using Talos.Cli.Render;
using Talos.Gpu.Processes;
using Talos.Tests.Actors;
using Talos.Tests.Prism;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Cli;

/// <summary>
/// <c>talos render brick_and_steel.fountain --cast CAST --scenes 1-2</c> with the cast the tests write (<see cref="TestCast"/>):
/// STEEL in a rig file of its own whose jacket is magenta, BRICK in the round rig with a cyan dress. The film is looked at:
/// magenta and cyan pixels (no built-in rig, background or light makes them) appear with the cast and not without it.
/// Rendered on the embedded cluster, and on a farm of processes (seed + node, PostgreSQL) with the rig going up as an asset.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CastRenderTests : IDisposable
{
    const int W = 192, H = 108, Fps = 4;
    readonly string _dir = Repo.TempDir("cast-render");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    static string Cli => Path.Combine(Repo.Root, "Talos.Cli", "bin", "Release", "net10.0", "talos.dll");

    static async Task<(int Code, string Error)> Render(RenderCommand.RenderRequest request)
        => await Support.CliRunner.Render(request);

    RenderCommand.RenderRequest Request(string output, string? cast, string work = "work") =>
        new(Repo.Corpus("brick_and_steel.fountain"), Path.Combine(_dir, output), W, H, Fps, "1-2", null, Path.Combine(_dir, work)) { Cast = cast };

    /// <summary>Pixels across the film's frames that read as magenta (STEEL's jacket) and as cyan (BRICK's dress).</summary>
    static async Task<(long Magenta, long Cyan, int Frames)> Colours(string mp4)
    {
        long magenta = 0, cyan = 0;
        var frames = await FrameGrab.DecodeAsync(mp4, W, H);
        foreach (var f in frames)
            for (int i = 0; i + 2 < f.Length; i += 3)
            {
                int r = f[i], g = f[i + 1], b = f[i + 2];
                if (r > 150 && b > 150 && g < r / 2 && g < b / 2) magenta++;
                if (g > 150 && b > 150 && r < g / 3 && r < b / 3) cyan++;
            }
        return (magenta, cyan, frames.Count);
    }

    [Fact]
    public async Task The_cast_rigs_and_palettes_are_rendered_for_the_named_characters_on_the_embedded_cluster()
    {
        var cast = TestCast.Write(Path.Combine(_dir, "cast"));
        var (code, error) = await Render(Request("plain.mp4", null));
        Assert.True(code == 0, error);
        (code, error) = await Render(Request("cast.mp4", cast));
        Assert.True(code == 0, error);

        var plain = await Colours(Path.Combine(_dir, "plain.mp4"));
        var dressed = await Colours(Path.Combine(_dir, "cast.mp4"));
        Assert.Equal(plain.Frames, dressed.Frames);
        long perFrame = W * H / 400; // STEEL's jacket and BRICK's dress are far larger than this on every frame they are in
        Assert.True(plain.Magenta < perFrame && plain.Cyan < perFrame, $"without the cast: {plain}");
        Assert.True(dressed.Magenta > perFrame * 10, $"STEEL's rig file (magenta jacket) is not in the film: {dressed} vs {plain}");
        Assert.True(dressed.Cyan > perFrame * 10, $"BRICK's cyan dress is not in the film: {dressed} vs {plain}");
    }

    [Fact]
    public async Task A_bad_cast_stops_the_render_before_anything_starts_or_is_stored()
    {
        var cast = TestCast.Write(Path.Combine(_dir, "cast"), TestCast.CastJson.Replace("rigs/steel.rig.json", "rigs/gone.rig.json"));
        var (code, error) = await Render(Request("x.mp4", cast, "bad-work"));
        Assert.Equal(CliErrors.BadInput, code);
        Assert.Contains("characters.steel.rig: rig file 'rigs/gone.rig.json' not found", error);
        Assert.False(Directory.Exists(Path.Combine(_dir, "bad-work")), "the work dir (journal, vault) was created for a cast that does not load");
        Assert.False(File.Exists(Path.Combine(_dir, "x.mp4")));
    }

    [Fact]
    public async Task The_cast_renders_on_a_farm_with_the_rig_file_uploaded_to_its_vault()
    {
        if (!Directory.Exists("/usr/lib/postgresql")) Assert.Skip("PostgreSQL is not installed on this machine");
        Assert.True(File.Exists(Cli), "build the solution in Release first (./test.sh does)");
        var farm = Path.Combine(_dir, "farm");
        async Task<(int Code, string Output)> Talos(params string[] args)
        {
            var r = await ProcessRunner.RunAsync("dotnet", [Cli, .. args], env: new Dictionary<string, string?> { ["COLUMNS"] = "200" },
                timeout: TimeSpan.FromMinutes(8), check: false);
            return (r.ExitCode, r.Output + r.Error);
        }
        try
        {
            var (code, output) = await Talos("farm", "up", "--nodes", "1", "--work-dir", farm, "--chunk-slots", "1");
            Assert.True(code == 0, output);
            var cast = TestCast.Write(Path.Combine(_dir, "cast"));
            var film = Path.Combine(_dir, "farm.mp4");
            (code, output) = await Talos("render", Repo.Corpus("brick_and_steel.fountain"), "--cast", cast, "--scenes", "1-2",
                "--width", $"{W}", "--height", $"{H}", "--fps", $"{Fps}", "--farm", farm, "--out", film);
            Assert.True(code == 0, output);
            Assert.Contains("on the farm", output);
            var dressed = await Colours(film);
            long perFrame = W * H / 400;
            Assert.True(dressed.Magenta > perFrame * 10, $"STEEL's rig file (magenta jacket) is not in the farm's film: {dressed}");
            Assert.True(dressed.Cyan > perFrame * 10, $"BRICK's cyan dress is not in the farm's film: {dressed}");
        }
        finally
        {
            if (File.Exists(Path.Combine(farm, "farm.json"))) await Talos("farm", "down", "--work-dir", farm);
        }
    }
}
