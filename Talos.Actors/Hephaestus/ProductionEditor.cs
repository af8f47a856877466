using Talos.Vault;
using System.Text.Json;
using Akka.Actor;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Audio;
using Talos.Actors.Pipeline;
using Talos.Gpu.Imaging;
using Talos.Messages;
using Talos.Messages.Serialization;
using Talos.Messages.Specs;

namespace Talos.Actors.Hephaestus;

/// <summary>One shot of the cut: its frames (the list CUTTURA stored) at spec revision <paramref name="SpecRevision"/>.</summary>
/// <param name="Spec">The shot's spec at that revision, for its sound (dialogue, sound cues, loudness). Not part of the clip's
/// equality: the shot key and revision already name it, and a spec that crossed the wire is another object.</param>
public sealed record EditClip(string ShotId, string FramesHash, string Transition, int Fps, string ShotKey, int SpecRevision, ShotSpec? Spec = null)
{
    public bool Equals(EditClip? other) =>
        other is not null && ShotId == other.ShotId && FramesHash == other.FramesHash && Transition == other.Transition && Fps == other.Fps
        && ShotKey == other.ShotKey && SpecRevision == other.SpecRevision;

    public override int GetHashCode() => HashCode.Combine(ShotId, FramesHash, Transition, Fps, ShotKey, SpecRevision);
}
/// <param name="Delivery">sdr (H.264 from the 8-bit frames) or hdr10/prores/png16 (from ANIMA's linear-light frames; png16 is a zip of PNGs).</param>
/// <param name="AudioAsset">The music: mixed under the shots' dialogue and sound effects, ducked where lines are spoken.</param>
/// <param name="Loudness">The mix's integrated loudness target, LUFS.</param>
public sealed record EditJob(string Production, IReadOnlyList<EditClip> Clips, string? AudioAsset, double AudioOffsetSeconds, int TransitionFrames,
    string Delivery = "sdr", double Loudness = Limits.DefaultLoudness) : ITalosMessage
{
    /// <summary>The same cut: the same clips (shots, revisions, frames, transitions) in order, the same sound and delivery.</summary>
    public bool SameCut(EditJob other) => Clips.SequenceEqual(other.Clips) && this with { Clips = other.Clips } == other;

    /// <summary>The spec revision of each shot the film is cut from.</summary>
    public IReadOnlyDictionary<string, int> ShotRevisions() => Clips.ToDictionary(c => c.ShotKey, c => c.SpecRevision, StringComparer.Ordinal);
}
/// <summary>The film of <paramref name="Job"/> (so Hephaestus records it only if that is still the cut the production needs).</summary>
public sealed record FilmEdited(string Production, string FilmHash, int Frames, EditJob Job) : ITalosMessage;
public sealed record FilmEditFailed(string Production, string Reason, EditJob Job) : ITalosMessage;

/// <summary>
/// CUTTURA for a whole production: cuts the finished shots' frames together (cut, dissolve, fade), mixes the film's sound
/// (<see cref="FilmSoundtrack"/>: every shot's dialogue and sound cues at their film time, the production's music ducked under
/// the dialogue, loudness-normalised; no audio track when there is nothing to hear), encodes one film with it, stores it in
/// the vault and reports its hash. One-shot child of Hephaestus; the work runs off the actor thread.
/// </summary>
public sealed class ProductionEditor : ReceiveActor
{
    public ProductionEditor(EditJob job, TalosEnvironment env, IActorRef hephaestus)
    {
        Task.Run(async () =>
        {
            var vault = new Talos.Vault.OwnedVault(env.Vault, new Talos.Vault.VaultRef(job.Production, "", 0, Talos.Vault.BlobVault.FilmStage)); // the production holds its film
            var clips = job.Clips.Select(c => new ShotClip(c.ShotId,
                JsonSerializer.Deserialize<List<string>>(vault.Get(c.FramesHash), ShotEventSerializer.Json)!, c.Transition, c.Fps)).ToList();
            var head = FrameCodec.ReadHeader(vault.Get(clips[0].FrameHashes[0]));
            if (head.kind != FrameCodec.Kind.Rgb24) throw new InvalidDataException($"frame blob holds {head.kind}, not RGB24");
            var first = (head.width, head.height);
            var audio = Soundtrack(job, clips, vault);
            if (job.Delivery != "sdr")
            {
                try { return await Deliver(job, clips, first.width, first.height, audio, vault); }
                finally { if (audio is not null) File.Delete(audio); }
            }
            var tmp = Path.Combine(Path.GetTempPath(), $"talos-film-{Guid.NewGuid():N}.mp4");
            try
            {
                int frames = 0;
                // each frame decoded into the editor's buffers (three frames for the whole film, not one fresh 2.7 MB
                // array per 720p frame): the encoder writes a frame to ffmpeg before it asks for the next
                var film = FilmEditor.EditInto(clips, checked(first.width * first.height * 3),
                    (h, into, written) => FrameCodec.DecodeRgb24(vault.Get(h), into, written), job.TransitionFrames);
                await VideoEncoder.EncodeH264Async(film, first.width, first.height, clips[0].Fps, tmp, audio, 0,
                    n => frames = n);
                var filmHash = vault.Put(await File.ReadAllBytesAsync(tmp), "film");
                return (object)new FilmEdited(job.Production, filmHash, clips.Sum(c => c.FrameHashes.Count), job);
            }
            finally
            {
                File.Delete(tmp);
                if (audio is not null) File.Delete(audio);
            }
        }).PipeTo(Self, success: r => r, failure: e => new FilmEditFailed(job.Production, (e is AggregateException a ? a.Flatten().InnerException ?? e : e).Message, job));

        Receive<FilmEdited>(d => { hephaestus.Tell(d); Context.Stop(Self); });
        Receive<FilmEditFailed>(f => { hephaestus.Tell(f); Context.Stop(Self); });
    }

    /// <summary>
    /// The hdr10/prores/png16 film: each shot's linear-light frames (the list CUTTURA filed under
    /// <see cref="LinearFramesAsset"/>) edited in float and encoded; a PNG sequence is stored as one zip (no audio).
    /// </summary>
    static async Task<object> Deliver(EditJob job, List<ShotClip> clips, int width, int height, string? audio, Talos.Vault.IBlobVault vault)
    {
        var linear = clips.Select((c, i) => c with
        {
            FrameHashes = JsonSerializer.Deserialize<List<string>>(vault.Get(vault.ResolveAsset(LinearFramesAsset(job.Clips[i].FramesHash))
                ?? throw new InvalidDataException($"shot '{c.ShotId}' has no linear-light frames for the {job.Delivery} delivery")), ShotEventSerializer.Json)!,
        }).ToList();
        // each decoded or mixed frame goes back to FramePool once the encoder has converted it (a 3840×2160 float frame
        // is 133 MB): the next frames are decoded into those planes instead of fresh ones
        var frames = FilmEditor.EditLinear(linear, h => FrameCodec.DecodeRgba(vault.Get(h)), job.TransitionFrames, FramePool.Return);
        var tmp = Path.Combine(Path.GetTempPath(), $"talos-film-{Guid.NewGuid():N}{DeliveryEncoder.Extension(job.Delivery)}");
        try
        {
            await DeliveryEncoder.EncodeAsync(job.Delivery, frames, width, height, clips[0].Fps, tmp, job.Delivery == "png16" ? null : audio, 0);
            byte[] bytes;
            if (job.Delivery == "png16")
            {
                var zip = tmp + ".zip";
                System.IO.Compression.ZipFile.CreateFromDirectory(tmp, zip, System.IO.Compression.CompressionLevel.NoCompression, includeBaseDirectory: false);
                try { bytes = await File.ReadAllBytesAsync(zip); } finally { File.Delete(zip); }
            }
            else bytes = await File.ReadAllBytesAsync(tmp);
            return new FilmEdited(job.Production, vault.Put(bytes, "film"), clips.Sum(c => c.FrameHashes.Count), job);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
    }

    /// <summary>
    /// The film's mixed sound as a temporary 16-bit WAV at <see cref="FilmMix.SampleRate"/> (the caller deletes it), or null when
    /// the film has nothing to hear. Assets (recorded lines, effects, music) are read from the vault by name or hash.
    /// </summary>
    static string? Soundtrack(EditJob job, List<ShotClip> clips, Talos.Vault.IBlobVault vault)
    {
        PcmAudio? music = null;
        if (job.AudioAsset is not null)
        {
            var hash = vault.ResolveAsset(job.AudioAsset) ?? throw new InvalidDataException($"unknown audio asset '{job.AudioAsset}'");
            music = AudioDecoder.DecodeMono(vault.PathOf(hash), FilmMix.SampleRate, $"'{job.AudioAsset}' (the production's music)");
        }
        var shots = job.Clips.Select((c, i) => new SoundtrackShot(c.Spec ?? new ShotSpec { Id = c.ShotId, Fps = c.Fps }, clips[i].FrameHashes.Count)).ToList();
        var mix = FilmSoundtrack.Build(shots, vault.Asset, music, job.AudioOffsetSeconds, job.Loudness);
        if (mix is null) return null;
        var path = Path.Combine(Path.GetTempPath(), $"talos-mix-{Guid.NewGuid():N}.wav");
        File.WriteAllBytes(path, AudioDecoder.ToWav16(mix));
        return path;
    }

    /// <summary>The vault asset under which CUTTURA files a shot's linear-light frame list, named after its 8-bit frame list.</summary>
    public static string LinearFramesAsset(string framesHash) => Talos.Vault.DerivedAssets.LinearFrames(framesHash);

    public static Props Props(EditJob job, TalosEnvironment env, IActorRef hephaestus) =>
        Akka.Actor.Props.Create(() => new ProductionEditor(job, env, hephaestus));
}
