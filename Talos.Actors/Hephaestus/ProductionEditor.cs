using System.Text.Json;
using Akka.Actor;
using Talos.Actors.Cuttura;
using Talos.Actors.Pipeline;
using Talos.Gpu.Imaging;
using Talos.Messages;
using Talos.Messages.Serialization;

namespace Talos.Actors.Hephaestus;

public sealed record EditClip(string ShotId, string FramesHash, string Transition, int Fps);
public sealed record EditJob(string Production, IReadOnlyList<EditClip> Clips, string? AudioAsset, double AudioOffsetSeconds, int TransitionFrames) : ITalosMessage;
public sealed record FilmEdited(string Production, string FilmHash, int Frames) : ITalosMessage;
public sealed record FilmEditFailed(string Production, string Reason) : ITalosMessage;

/// <summary>
/// CUTTURA for a whole production: cuts the finished shots' frames together (cut, dissolve, fade), encodes one
/// H.264 film with the production's audio track, stores it in the vault and reports its hash. One-shot child of
/// Hephaestus; the work runs off the actor thread.
/// </summary>
public sealed class ProductionEditor : ReceiveActor
{
    public ProductionEditor(EditJob job, TalosEnvironment env, IActorRef hephaestus)
    {
        Task.Run(async () =>
        {
            var vault = env.Vault;
            var clips = job.Clips.Select(c => new ShotClip(c.ShotId,
                JsonSerializer.Deserialize<List<string>>(vault.Get(c.FramesHash), ShotEventSerializer.Json)!, c.Transition, c.Fps)).ToList();
            var first = FrameCodec.DecodeRgb24(vault.Get(clips[0].FrameHashes[0]));
            string? audio = null;
            if (job.AudioAsset is not null)
            {
                var hash = vault.ResolveAsset(job.AudioAsset) ?? throw new InvalidDataException($"unknown audio asset '{job.AudioAsset}'");
                audio = vault.PathOf(hash);
            }
            var tmp = Path.Combine(Path.GetTempPath(), $"talos-film-{Guid.NewGuid():N}.mp4");
            try
            {
                int frames = 0;
                var film = FilmEditor.Edit(clips, h => FrameCodec.DecodeRgb24(vault.Get(h)).rgb, job.TransitionFrames);
                await VideoEncoder.EncodeH264Async(film, first.width, first.height, clips[0].Fps, tmp, audio, job.AudioOffsetSeconds,
                    n => frames = n);
                var filmHash = vault.Put(await File.ReadAllBytesAsync(tmp), "film");
                return (object)new FilmEdited(job.Production, filmHash, clips.Sum(c => c.FrameHashes.Count));
            }
            finally { File.Delete(tmp); }
        }).PipeTo(Self, success: r => r, failure: e => new FilmEditFailed(job.Production, (e is AggregateException a ? a.Flatten().InnerException ?? e : e).Message));

        Receive<FilmEdited>(d => { hephaestus.Tell(d); Context.Stop(Self); });
        Receive<FilmEditFailed>(f => { hephaestus.Tell(f); Context.Stop(Self); });
    }

    public static Props Props(EditJob job, TalosEnvironment env, IActorRef hephaestus) =>
        Akka.Actor.Props.Create(() => new ProductionEditor(job, env, hephaestus));
}
