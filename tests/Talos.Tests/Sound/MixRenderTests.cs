using Talos.Cli.Render;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Audio;
using Talos.Gpu.Prism;
using Talos.Messages.Specs;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Sound;

/// <summary>
/// Dialogue in the film, end to end: <c>talos render</c> a two-shot spec (24 fps, tiny frames) with three lines at known
/// frames on the embedded cluster, decode the film's audio, and find each line's onset within one frame of its film time;
/// its loudness (ffmpeg ebur128) is -23 LUFS, true peak at most -1 dBTP; again with <c>--loudness -14</c>; then with a
/// music track, which is at least 6 dB quieter under the lines than between them. The later renders reuse every drawn
/// chunk (sound is no stage's input), so only PRISM and the edit run again.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class MixRenderTests : IDisposable
{
    const int Fps = 24;
    readonly string _dir = Repo.TempDir("mix-render");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    /// <summary>(shot, frame, film seconds) of each line: shot 2 starts after shot 1's 72 frames (3 s).</summary>
    static readonly (int Shot, int Frame, double At)[] Lines = [(0, 12, 0.5), (1, 12, 3.5), (1, 60, 5.5)];

    static IReadOnlyList<ShotSpec> Film(AudioSpec? music) =>
    [
        new ShotSpec
        {
            Id = "harbour", Sequence = 1, Fps = Fps, Frames = new FrameRange(0, 71), Audio = music,
            Characters = [new CharacterSpec { Name = "MARA", Keyframes = [new PoseKey { Frame = 0, X = 0.4 }] }],
            Dialogue = [new DialogueLine("MARA", "The tide is turning.", 12, 40)],
        },
        new ShotSpec
        {
            Id = "boat", Sequence = 2, Fps = Fps, Frames = new FrameRange(0, 71), Transition = "dissolve",
            Characters = [new CharacterSpec { Name = "TEO", Rig = "round", Keyframes = [new PoseKey { Frame = 0, X = 0.6, Facing = -1 }] }],
            Dialogue = [new DialogueLine("TEO", "Then we sail at dawn.", 12, 44), new DialogueLine("MARA", "Now.", 60, 71)],
        },
    ];

    async Task<string> Render(IReadOnlyList<ShotSpec> film, string name, params string[] extra)
    {
        var spec = Path.Combine(_dir, "film.json");
        File.WriteAllText(spec, ShotSpecJson.SerializeMany(film));
        var mp4 = Path.Combine(_dir, name);
        var (code, error) = await CliRunner.Run([RenderCommand.Create()],
            ["render", spec, "--out", mp4, "--width", "96", "--height", "54", "--work-dir", Path.Combine(_dir, "work"), .. extra]);
        Assert.True(code == 0, error);
        return mp4;
    }

    [Fact]
    public async Task Dialogue_lands_on_its_frames_at_the_loudness_target_and_ducks_the_music()
    {
        var plain = await Render(Film(null), "plain.mp4");
        Assert.Equal("aac", (await MediaProbe.ProbeAsync(plain)).AudioCodec);
        var audio = AudioDecoder.DecodeMono(plain, FilmMix.SampleRate, "the film");
        Assert.InRange(audio.Seconds, 5.95, 6.1);
        foreach (var (shot, frame, at) in Lines)
        {
            double onset = SoundMeasure.Onset(audio, at - 0.4, at + 0.4);
            Assert.True(Math.Abs(onset - at) <= 1.0 / Fps, $"shot {shot + 1} frame {frame}: the line starts at {onset:F3} s, not {at:F3} s");
        }
        var (lufs, peak) = SoundMeasure.Ebur128(plain);
        Assert.InRange(lufs, -23.5, -22.5);
        Assert.True(peak <= -1.0, $"true peak {peak} dBTP");

        var web = await Render(Film(null), "web.mp4", "--loudness", "-14");
        var (webLufs, webPeak) = SoundMeasure.Ebur128(web);
        Assert.InRange(webLufs, -14.5, -13.5);
        Assert.True(webPeak <= -1.0, $"true peak {webPeak} dBTP at -14 LUFS");

        // A 3 kHz tone as the music bed: its level during the first two lines against the gap between them.
        var tone = new float[6 * 44100];
        for (int i = 0; i < tone.Length; i++) tone[i] = (float)(0.25 * Math.Sin(2 * Math.PI * 3000 * i / 44100.0));
        File.WriteAllBytes(Path.Combine(_dir, "music.wav"), AudioDecoder.ToWav16(new PcmAudio(tone, 44100)));
        var scored = await Render(Film(new AudioSpec("music.wav")), "scored.mp4");
        var mix = AudioDecoder.DecodeMono(scored, FilmMix.SampleRate, "the scored film");
        double during = Math.Max(SoundMeasure.ToneLevel(mix, 3000, 0.7, 1.4), SoundMeasure.ToneLevel(mix, 3000, 3.7, 4.4));
        double between = SoundMeasure.ToneLevel(mix, 3000, 2.1, 3.15);
        Assert.True(SoundMeasure.Db(between / during) >= 6, $"the music is only {SoundMeasure.Db(between / during):F1} dB quieter under the dialogue");
        var (scoredLufs, scoredPeak) = SoundMeasure.Ebur128(scored);
        Assert.InRange(scoredLufs, -23.5, -22.5);
        Assert.True(scoredPeak <= -1.0, $"true peak {scoredPeak} dBTP with music");
    }

    [Fact]
    public void A_screenplay_sound_cue_becomes_an_effect_in_the_shot_spec()
    {
        var graph = SceneGraphBuilder.Build(FountainParser.Parse("EXT. HARBOUR - NIGHT\n\nRain lashes the quay. A door SLAMS somewhere. A loud CRASH.\n"));
        var spec = ShotPlanner.ToShotSpecs(graph, new RenderSettings(96, 54, 12, null, null, null)).First();
        Assert.Contains(new SoundCue("rain", 0), spec.Sounds);
        Assert.Contains(new SoundCue("crash", 0), spec.Sounds);
        Assert.Contains(new SoundCue("impact", 0), spec.Sounds);
        Assert.Equal(spec.Sounds, ShotSpecJson.Parse(ShotSpecJson.Serialize(spec)).Sounds);
        var bad = Assert.Throws<SpecValidationException>(() => ShotSpecJson.Parse(ShotSpecJson.Serialize(spec with { Sounds = [new SoundCue("kazoo", 0)] })));
        Assert.Contains(bad.Errors, e => e.Path == "$.sounds[0].name" && e.Message.Contains("not in the effects library"));
        Assert.Equal([new SoundCue("kazoo", 0, "sfx/kazoo.wav")], ShotSpecJson.Parse(ShotSpecJson.Serialize(spec with { Sounds = [new SoundCue("kazoo", 0, "sfx/kazoo.wav")] })).Sounds);
    }
}
