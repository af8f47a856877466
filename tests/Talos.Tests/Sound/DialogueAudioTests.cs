using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Audio;
using Talos.Gpu.Prism.Voice;
using Talos.Messages.Specs;
using Xunit;

namespace Talos.Tests.Sound;

/// <summary>
/// The dialogue-audio contract the film's mix and lip-sync share: a line's recorded asset decoded by AudioDecoder, else the
/// scratch voice (espeak-ng, the character's own voice), deterministic, placed at StartFrame / fps.
/// </summary>
public sealed class DialogueAudioTests
{
    const int Rate = 16000;

    static ShotSpec Shot(params DialogueLine[] lines) => new() { Id = "talk", Fps = 24, Frames = new FrameRange(0, 95), Dialogue = lines };

    static readonly Func<string, byte[]?> NoAssets = _ => null;

    [Fact]
    public void The_scratch_voice_is_deterministic_and_each_character_has_its_own()
    {
        var spec = Shot(new DialogueLine("MARA", "The tide is turning.", 0, 30), new DialogueLine("TEO", "The tide is turning.", 40, 70),
            new DialogueLine("mara ", "The tide is turning.", 80, 95));
        var a = DialogueAudio.Line(spec, 0, NoAssets, Rate);
        var again = DialogueAudio.Line(spec, 0, NoAssets, Rate);
        Assert.Equal(a.Samples, again.Samples); // bit-identical: espeak-ng and the resampler are deterministic
        Assert.Equal(Rate, a.SampleRate);
        Assert.InRange(a.Seconds, 0.8, 3.0);
        Assert.True(SoundMeasure.Rms(a, 0.1, 0.8) > 0.05, $"speech rms {SoundMeasure.Rms(a, 0.1, 0.8):F3}");

        // The same words in TEO's voice are other samples; the same character (any case, spaces) is the same voice.
        Assert.NotEqual(ScratchVoice.VoiceOf("MARA"), ScratchVoice.VoiceOf("TEO"));
        Assert.NotEqual(a.Samples, DialogueAudio.Line(spec, 1, NoAssets, Rate).Samples);
        Assert.Equal(a.Samples, DialogueAudio.Line(spec, 2, NoAssets, Rate).Samples);
        Assert.Equal(ScratchVoice.VoiceOf("MARA"), ScratchVoice.VoiceOf(" mara"));
    }

    [Fact]
    public void A_recorded_line_is_its_asset_decoded_and_an_unknown_one_is_named()
    {
        // A 0.5 s 500 Hz tone at 44.1 kHz stands for a recorded voice.
        var tone = new float[22050];
        for (int i = 0; i < tone.Length; i++) tone[i] = (float)(0.5 * Math.Sin(2 * Math.PI * 500 * i / 44100.0));
        var wav = AudioDecoder.ToWav16(new PcmAudio(tone, 44100));
        var spec = Shot(new DialogueLine("MARA", "Hello.", 12, 30, null, "voices/mara.wav"), new DialogueLine("MARA", "Again.", 40, 60, null, "voices/gone.wav"));
        var line = DialogueAudio.Line(spec, 0, name => name == "voices/mara.wav" ? wav : null, Rate);
        Assert.InRange(line.Seconds, 0.499, 0.501);
        Assert.InRange(SoundMeasure.ToneLevel(line, 500, 0.05, 0.45), 0.48, 0.52);
        Assert.Equal(0.5, DialogueAudio.StartSeconds(spec, 0));

        var e = Assert.Throws<CutturaException>(() => DialogueAudio.Line(spec, 1, name => name == "voices/mara.wav" ? wav : null, Rate));
        Assert.Contains("'voices/gone.wav'", e.Message);
        Assert.Contains("dialogue line 2 of shot 'talk'", e.Message);
        var bad = Assert.Throws<CutturaException>(() => DialogueAudio.Line(spec, 0, _ => wav[..100], Rate));
        Assert.Contains("truncated WAV", bad.Message);
    }

    [Fact]
    public void The_shot_track_has_each_line_at_its_start_frame()
    {
        var spec = Shot(new DialogueLine("MARA", "Look at the sea.", 6, 40), new DialogueLine("TEO", "Then we sail.", 60, 95));
        var track = DialogueAudio.Shot(spec, NoAssets, Rate);
        Assert.Equal(96 / 24.0 * Rate, track.Samples.Length);
        Assert.True(SoundMeasure.Rms(track, 0, 0.24) == 0, "silence before the first line");
        foreach (var (frame, from) in new[] { (6, 0.0), (60, 2.3) })
        {
            double onset = SoundMeasure.Onset(track, from, from + 1.2);
            Assert.InRange(onset - frame / 24.0, -0.001, 1 / 24.0); // espeak-ng's few ms of lead-in, well under a frame
        }
    }
    [Fact]
    public void A_line_spoken_for_lip_sync_gives_the_mix_the_samples_of_a_decode_at_its_own_rate()
    {
        // AXIS asks for 16 kHz, the edit for 48 kHz: one espeak-ng and one ffmpeg give both, and each is bit for bit what a
        // process decoding that rate alone gives (TEO's lip-sync sits on a knife edge: its 16 kHz samples may not move)
        var spec = Shot(new DialogueLine("TEO", "Can we light it again?", 0, 40));
        var lip = DialogueAudio.Line(spec, 0, NoAssets, Talos.Gpu.Axis.LipSync.SileroVad.SampleRate);
        var mix = DialogueAudio.Line(spec, 0, NoAssets, FilmMix.SampleRate);
        var voice = ScratchVoice.For("TEO", null);
        Assert.Equal(ScratchVoice.Speak("Can we light it again?", voice, 16000, "alone").Samples, lip.Samples);
        Assert.Equal(ScratchVoice.Speak("Can we light it again?", voice, 48000, "alone").Samples, mix.Samples);
        Assert.Equal((16000, 48000), (lip.SampleRate, mix.SampleRate));
        // every call its own copy: a caller writing into its samples changes nobody else's
        float was = lip.Samples[2000];
        lip.Samples[2000] = 0.75f;
        Assert.Equal(was, DialogueAudio.Line(spec, 0, NoAssets, 16000).Samples[2000]);
        // a rate outside the pair is decoded on its own
        Assert.Equal(ScratchVoice.Speak("Can we light it again?", voice, 22050, "alone").Samples, DialogueAudio.Line(spec, 0, NoAssets, 22050).Samples);
    }

    [Fact]
    public void One_decode_at_several_rates_gives_each_rates_own_samples()
    {
        var tone = new float[22050];
        for (int i = 0; i < tone.Length; i++) tone[i] = (float)(0.4 * Math.Sin(2 * Math.PI * 330 * i / 22050.0) + 0.2 * Math.Sin(2 * Math.PI * 4100 * i / 22050.0));
        var wav = AudioDecoder.ToWav16(new PcmAudio(tone, 22050));
        var both = AudioDecoder.DecodeMono(wav, [16000, 48000, 8000], "tone");
        Assert.Equal(3, both.Length);
        Assert.Equal(AudioDecoder.DecodeMono(wav, 16000, "tone").Samples, both[0].Samples);
        Assert.Equal(AudioDecoder.DecodeMono(wav, 48000, "tone").Samples, both[1].Samples);
        Assert.Equal(AudioDecoder.DecodeMono(wav, 8000, "tone").Samples, both[2].Samples);
        Assert.Equal((16000, 48000, 8000), (both[0].SampleRate, both[1].SampleRate, both[2].SampleRate));
        Assert.InRange(both[1].Seconds, 0.999, 1.001);
    }

    [Fact]
    public void Sounds_decoded_together_are_each_sounds_own_decode()
    {
        // one ffmpeg, an input per sound and an output per sound and rate: each output bit for bit its sound's own decode
        var voice = ScratchVoice.For("TEO", null);
        var tone = new float[44100 / 2];
        for (int i = 0; i < tone.Length; i++) tone[i] = (float)(0.5 * Math.Sin(2 * Math.PI * 500 * i / 44100.0));
        (byte[], string)[] sounds = [(ScratchVoice.SpeakWav("Can we light it again?", voice, "a"), "a"),
            (AudioDecoder.ToWav16(new PcmAudio(tone, 44100)), "b"), (ScratchVoice.SpeakWav("They see us!", voice, "c"), "c")];
        var all = AudioDecoder.DecodeAll(sounds, [16000, 48000]);
        Assert.Equal(3, all.Length);
        for (int k = 0; k < sounds.Length; k++)
        {
            Assert.Equal(AudioDecoder.DecodeMono(sounds[k].Item1, 16000, "alone").Samples, all[k][0].Samples);
            Assert.Equal(AudioDecoder.DecodeMono(sounds[k].Item1, 48000, "alone").Samples, all[k][1].Samples);
        }
        Assert.NotEqual(all[0][0].Samples, all[2][0].Samples);
        // a broken sound among them is named
        var e = Assert.Throws<Talos.Gpu.Cuttura.CutturaException>(() => AudioDecoder.DecodeAll([sounds[0], (sounds[1].Item1[..100], "broken")], [16000]));
        Assert.Contains("broken", e.Message);
    }

    [Fact]
    public void A_films_lines_prepared_at_once_are_the_lines_each_call_would_decode()
    {
        // Prepare speaks and decodes a film's lines together (the mix does, before lip-sync's chunks ask); a silent line, a
        // missing asset and a broken one among them do not stop the others, and each still fails its own Line call
        var tone = new float[22050];
        for (int i = 0; i < tone.Length; i++) tone[i] = (float)(0.5 * Math.Sin(2 * Math.PI * 440 * i / 22050.0));
        var wav = AudioDecoder.ToWav16(new PcmAudio(tone, 22050));
        byte[]? Asset(string name) => name switch { "voices/ok.wav" => wav, "voices/broken.wav" => wav[..300], _ => null };
        var a = Shot(new DialogueLine("MARA", "Prepared, the lamp is lit.", 0, 40), new DialogueLine("TEO", "...", 50, 60));
        var b = Shot(new DialogueLine("TEO", "Prepared, we see the ship.", 0, 30), new DialogueLine("MARA", "Recorded.", 40, 50, null, "voices/ok.wav"),
            new DialogueLine("MARA", "Gone.", 60, 70, null, "voices/gone.wav"), new DialogueLine("MARA", "Broken.", 80, 90, null, "voices/broken.wav"));
        DialogueAudio.Prepare([(a, 0), (a, 1), (b, 0), (b, 1), (b, 2), (b, 3)], Asset);

        Assert.Equal(ScratchVoice.Speak("Prepared, the lamp is lit.", ScratchVoice.For("MARA", null), 16000, "alone").Samples, DialogueAudio.Line(a, 0, Asset, 16000).Samples);
        Assert.Equal(ScratchVoice.Speak("Prepared, we see the ship.", ScratchVoice.For("TEO", null), 48000, "alone").Samples, DialogueAudio.Line(b, 0, Asset, 48000).Samples);
        Assert.Equal(AudioDecoder.DecodeMono(wav, 16000, "alone").Samples, DialogueAudio.Line(b, 1, Asset, 16000).Samples);
        Assert.All(DialogueAudio.Line(a, 1, Asset, 16000).Samples, v => Assert.Equal(0f, v));
        Assert.Contains("'voices/gone.wav'", Assert.Throws<Talos.Gpu.Cuttura.CutturaException>(() => DialogueAudio.Line(b, 2, Asset, 16000)).Message);
        var broken = Assert.Throws<Talos.Gpu.Cuttura.CutturaException>(() => DialogueAudio.Line(b, 3, Asset, 48000));
        Assert.Contains("truncated WAV", broken.Message);
        Assert.Contains("dialogue line 4 of shot 'talk'", broken.Message);
    }
}
