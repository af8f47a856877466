using Talos.Vault;
using System.Text.Json;
using Akka.Actor;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Audio;
using Talos.Actors.Pipeline;
using Talos.Actors.Hosting;
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

    /// <summary>
    /// The same cut as far as either knows it: <paramref name="later"/> (the production's planned cut now) has the same
    /// shots at the same revisions, sound and delivery as this one, and every shot final here is final there with the
    /// same frames (a clip's frames are empty while its shot renders).
    /// </summary>
    public bool SamePlan(EditJob later) =>
        Clips.Count == later.Clips.Count && this with { Clips = later.Clips } == later
        && Enumerable.Range(0, Clips.Count).All(i => Clips[i] is var a && later.Clips[i] is var b
            && a.ShotId == b.ShotId && a.ShotKey == b.ShotKey && a.SpecRevision == b.SpecRevision && a.Transition == b.Transition && a.Fps == b.Fps
            && (a.FramesHash.Length == 0 || a.FramesHash == b.FramesHash));

    /// <summary>The spec revision of each shot the film is cut from.</summary>
    public IReadOnlyDictionary<string, int> ShotRevisions() => Clips.ToDictionary(c => c.ShotKey, c => c.SpecRevision, StringComparer.Ordinal);
}
/// <summary>The film of <paramref name="Job"/> (so Hephaestus records it only if that is still the cut the production needs).</summary>
public sealed record FilmEdited(string Production, string FilmHash, int Frames, EditJob Job) : ITalosMessage;
public sealed record FilmEditFailed(string Production, string Reason, EditJob Job) : ITalosMessage;
/// <summary>Hephaestus to the production's editor: the cut as it stands (<see cref="HephaestusState.PlannedEdit"/>), with the
/// frames of every shot final since it last said.</summary>
public sealed record EditShotsFinal(EditJob Plan) : ITalosMessage;

/// <summary>
/// CUTTURA for a whole production: cuts the finished shots' frames together (cut, dissolve, fade), mixes the film's sound
/// (<see cref="FilmSoundtrack"/>: every shot's dialogue and sound cues at their film time, the production's music ducked under
/// the dialogue, loudness-normalised; no audio track when there is nothing to hear), encodes one film with it, stores it in
/// the vault and reports its hash. One-shot child of Hephaestus; the work runs off the actor thread.
/// It starts while the shots render, from the planned cut (<see cref="HephaestusState.PlannedEdit"/>: a clip's frames are
/// empty until its shot is final), and Hephaestus tells it each shot that becomes final (<see cref="EditShotsFinal"/>).
/// The sound is mixed at once (it needs the shots' specs and lengths, not their frames); an sdr film's encode starts when
/// the first shot is final and is fed each next shot as it is final (<see cref="FilmEditor.ClipStream"/>), so that when the
/// last shot completes only its own frames are left to encode. Hephaestus stops the editor when the cut changes (a shot
/// revised, failed or cancelled; the production revised): the encode is cancelled (ffmpeg killed, its files deleted) and
/// nothing is reported. hdr10/prores/png16 films, a sound that could not be planned (a shot's frames not its spec's
/// length) and a streamed encode that failed are edited all at once from the final shots, as before streaming.
/// </summary>
public sealed class ProductionEditor : ReceiveActor
{
    readonly CancellationTokenSource _abort = new();
    readonly TaskCompletionSource<EditClip>[] _final;

    public ProductionEditor(EditJob plan, TalosEnvironment env, IActorRef hephaestus)
    {
        _final = plan.Clips.Select(_ => new TaskCompletionSource<EditClip>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        Final(plan);
        var vault = new Talos.Vault.OwnedVault(env.Vault, new Talos.Vault.VaultRef(plan.Production, "", 0, Talos.Vault.BlobVault.FilmStage)); // the production holds its film
        var ct = _abort.Token;
        Task.Run(() => EditAsync(plan, i => _final[i].Task, vault, ct), ct)
            .PipeTo(Self, success: r => r, failure: e =>
            {
                var inner = e is AggregateException a ? a.Flatten().InnerException ?? e : e;
                return new FilmEditFailed(plan.Production, inner.Message, inner is EditException x ? x.Job : plan);
            });

        Receive<EditShotsFinal>(m => Final(m.Plan));
        Receive<FilmEdited>(d => { hephaestus.Tell(d); Context.Stop(Self); });
        Receive<FilmEditFailed>(f => { hephaestus.Tell(f); Context.Stop(Self); });
    }

    /// <summary>Stopped by Hephaestus (the cut changed) or after reporting: an edit still running is cancelled.</summary>
    protected override void PostStop() => _abort.Cancel();

    void Final(EditJob plan)
    {
        for (int i = 0; i < plan.Clips.Count && i < _final.Length; i++)
            if (plan.Clips[i].FramesHash.Length > 0) _final[i].TrySetResult(plan.Clips[i]);
    }

    /// <summary>An edit failed once every shot was final: its job, so Hephaestus can tell whether it is the cut it needs.</summary>
    sealed class EditException(EditJob job, Exception inner) : Exception(inner.Message, inner)
    {
        public EditJob Job { get; } = job;
    }

    /// <summary>
    /// The film of <paramref name="plan"/>, each shot's final clip from <paramref name="finalClip"/>(i) (a task that completes
    /// when that shot is final). The sound is mixed first, from the plan; then an sdr film is streamed to the encoder shot by
    /// shot (<see cref="StreamAsync"/>); otherwise, or when streaming could not give the film, it waits for every shot and
    /// edits as <see cref="EditAllAsync"/>. The same bytes either way. Cancelled: nothing left behind.
    /// </summary>
    public static async Task<FilmEdited> EditAsync(EditJob plan, Func<int, Task<EditClip>> finalClip, Talos.Vault.IBlobVault vault, CancellationToken ct)
    {
        string? sound = null;
        bool planned = false;
        try
        {
            if (plan.Clips.All(c => c.Spec is not null))
            {
                try
                {
                    sound = Soundtrack(plan, plan.Clips.Select(c => c.Spec!.FrameCount).ToList(), vault);
                    planned = true;
                }
                catch (Exception e) when (e is not OperationCanceledException) { } // made again once every shot is final, and reported then
            }
            ct.ThrowIfCancellationRequested();
            if (plan.Delivery == "sdr" && planned)
            {
                try { if (await StreamAsync(plan, finalClip, vault, sound, ct).ConfigureAwait(false) is { } film) return film; }
                catch (Exception) when (!ct.IsCancellationRequested) { } // edited again below, all at once; its failure is the one reported
            }
            var clips = new EditClip[plan.Clips.Count];
            for (int i = 0; i < clips.Length; i++) clips[i] = await finalClip(i).WaitAsync(ct).ConfigureAwait(false);
            var job = plan with { Clips = clips };
            ReleaseBeforeEdit();
            try { return await EditAllAsync(job, vault, planned ? (plan.Clips.Select(c => c.Spec!.FrameCount).ToList(), sound) : null).ConfigureAwait(false); }
            catch (Exception e) when (e is not OperationCanceledException) { throw new EditException(job, e); }
        }
        finally
        {
            if (sound is not null) File.Delete(sound);
        }
    }

    /// <summary>
    /// The sdr film streamed: ffmpeg starts when the first shot is final and is fed each next shot's frames as it is final
    /// (the encoder's pipe writer waits for it); null, as soon as such a shot arrives, when its frames are not as many as its
    /// spec says (the sound, mixed from the specs, would be wrong: the caller edits again all at once). The encoder's files go to
    /// <paramref name="tempDir"/> (null: the system's temp folder); cancelled, ffmpeg is stopped and they are deleted.
    /// </summary>
    public static async Task<FilmEdited?> StreamAsync(EditJob plan, Func<int, Task<EditClip>> finalClip, Talos.Vault.IBlobVault vault, string? audio,
        CancellationToken ct, string? tempDir = null)
    {
        var clips = new EditClip[plan.Clips.Count];
        var frames = new List<string>[plan.Clips.Count];
        await finalClip(0).WaitAsync(ct).ConfigureAwait(false);
        var stream = new FilmEditor.ClipStream(plan.Clips.Select(c => c.Transition).ToList(), i =>
        {
            // blocks the encoder's pipe writer (a thread-pool thread, which the pool makes up for) until shot i is final
            clips[i] = finalClip(i).WaitAsync(ct).GetAwaiter().GetResult();
            frames[i] = FrameList(vault, clips[i].FramesHash);
            // the sound was mixed for the spec's length: stop the stream now rather than after encoding the rest
            if (frames[i].Count != plan.Clips[i].Spec!.FrameCount) throw new LengthMismatch();
            return new ShotClip(clips[i].ShotId, frames[i], clips[i].Transition, clips[i].Fps);
        });
        ShotClip first;
        try { first = stream[0]; }
        catch (LengthMismatch) { return null; }
        var (width, height) = Rgb24Size(vault, first.FrameHashes[0]);
        var tmp = Path.Combine(tempDir ?? Path.GetTempPath(), $"talos-film-{Guid.NewGuid():N}.mp4");
        try
        {
            var film = FilmEditor.EditInto(stream, checked(width * height * 3),
                (h, into, written) => FrameCodec.DecodeRgb24(vault.Get(h), into, written), plan.TransitionFrames);
            try { await VideoEncoder.EncodeH264Async(film, width, height, first.Fps, tmp, audio, 0, null, ct).ConfigureAwait(false); }
            catch (CutturaException e) when (e.InnerException is LengthMismatch) { return null; } // the encoder names the frame it stopped at
            var job = plan with { Clips = clips };
            return new FilmEdited(job.Production, vault.Put(await File.ReadAllBytesAsync(tmp, ct).ConfigureAwait(false), "film"), frames.Sum(f => f.Count), job);
        }
        finally { File.Delete(tmp); }
    }

    /// <summary>
    /// Before an all-at-once edit (every shot final, nothing left for this node's stages to render in this production):
    /// what the stages kept for reuse is dropped — <see cref="FramePool"/>'s planes, <see cref="LayerCache"/>'s decoded
    /// layers, <see cref="Talos.Gpu.Raygen.BackgroundCache"/>'s painted backgrounds — and the managed heap is collected,
    /// compacted (the large-object heap too) and its free memory handed back to the kernel (an aggressive collection), then
    /// glibc's (<see cref="NativeHeap.Trim"/>). The edit needs a frame or three, and ffmpeg's encoder starts beside it:
    /// at 3840×2160 HDR10 the render process still held 2.68 GB of the stages' planes and garbage while x265 took 2.37 GB
    /// (docs/BENCHMARKS.md, issue 19). Other renders in the process lose only their caches' hits: a kept image in use stays
    /// with its user, and pixels are the same either way.
    /// </summary>
    public static void ReleaseBeforeEdit()
    {
        FramePool.Trim();
        LayerCache.Clear();
        Talos.Gpu.Raygen.BackgroundCache.Clear();
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeap.Trim();
    }

    /// <summary>A streamed shot's frames are not as many as its spec says (<see cref="StreamAsync"/> gives up at once).</summary>
    sealed class LengthMismatch() : Exception("a shot's frames are not as many as its spec says");

    /// <summary>
    /// The film of <paramref name="job"/> (every shot final), edited and encoded in one go. <paramref name="planned"/>: the
    /// sound already mixed for shots of these lengths (used when the frames match them), else it is mixed here.
    /// </summary>
    public static async Task<FilmEdited> EditAllAsync(EditJob job, Talos.Vault.IBlobVault vault, (List<int> Frames, string? Path)? planned)
    {
        var clips = job.Clips.Select(c => new ShotClip(c.ShotId, FrameList(vault, c.FramesHash), c.Transition, c.Fps)).ToList();
        var first = Rgb24Size(vault, clips[0].FrameHashes[0]);
        bool reuse = planned is { } p && p.Frames.SequenceEqual(clips.Select(c => c.FrameHashes.Count));
        var audio = reuse ? planned!.Value.Path : Soundtrack(job, clips.Select(c => c.FrameHashes.Count).ToList(), vault);
        try
        {
            if (job.Delivery != "sdr") return await Deliver(job, clips, first.width, first.height, audio, vault);
            var tmp = Path.Combine(Path.GetTempPath(), $"talos-film-{Guid.NewGuid():N}.mp4");
            try
            {
                // each frame decoded into the editor's buffers (three frames for the whole film, not one fresh 2.7 MB
                // array per 720p frame): the encoder writes a frame to ffmpeg before it asks for the next
                var film = FilmEditor.EditInto(clips, checked(first.width * first.height * 3),
                    (h, into, written) => FrameCodec.DecodeRgb24(vault.Get(h), into, written), job.TransitionFrames);
                await VideoEncoder.EncodeH264Async(film, first.width, first.height, clips[0].Fps, tmp, audio, 0);
                var filmHash = vault.Put(await File.ReadAllBytesAsync(tmp), "film");
                return new FilmEdited(job.Production, filmHash, clips.Sum(c => c.FrameHashes.Count), job);
            }
            finally { File.Delete(tmp); }
        }
        finally
        {
            if (!reuse && audio is not null) File.Delete(audio);
        }
    }

    static List<string> FrameList(Talos.Vault.IBlobVault vault, string framesHash) =>
        JsonSerializer.Deserialize<List<string>>(vault.Get(framesHash), ShotEventSerializer.Json)!;

    static (int width, int height) Rgb24Size(Talos.Vault.IBlobVault vault, string frameHash)
    {
        var head = FrameCodec.ReadHeader(vault.Get(frameHash));
        if (head.kind != FrameCodec.Kind.Rgb24) throw new InvalidDataException($"frame blob holds {head.kind}, not RGB24");
        return (head.width, head.height);
    }

    /// <summary>
    /// The hdr10/prores/png16 film: each shot's linear-light frames (the list CUTTURA filed under
    /// <see cref="LinearFramesAsset"/>) edited in float and encoded; a PNG sequence is stored as one zip (no audio).
    /// </summary>
    static async Task<FilmEdited> Deliver(EditJob job, List<ShotClip> clips, int width, int height, string? audio, Talos.Vault.IBlobVault vault)
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
    static string? Soundtrack(EditJob job, IReadOnlyList<int> frames, Talos.Vault.IBlobVault vault)
    {
        PcmAudio? music = null;
        if (job.AudioAsset is not null)
        {
            var hash = vault.ResolveAsset(job.AudioAsset) ?? throw new InvalidDataException($"unknown audio asset '{job.AudioAsset}'");
            music = AudioDecoder.DecodeMono(vault.PathOf(hash), FilmMix.SampleRate, $"'{job.AudioAsset}' (the production's music)");
        }
        var shots = job.Clips.Select((c, i) => new SoundtrackShot(c.Spec ?? new ShotSpec { Id = c.ShotId, Fps = c.Fps }, frames[i])).ToList();
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
