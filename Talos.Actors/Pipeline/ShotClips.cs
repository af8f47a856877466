using System.Collections.Concurrent;
using Talos.Actors.Pipeline.Stages;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Imaging;
using Talos.Vault;

namespace Talos.Actors.Pipeline;

/// <summary>
/// A shot's review clip (H.264 MP4 at <see cref="VideoEncoder.ClipPreset"/>), made on demand: the first time something
/// asks for it (the API's <c>/shots/{key}/video</c>, the dashboard's player, <c>talos export</c>'s media) it is encoded
/// from the shot's 8-bit frame list and kept in the vault as the derived asset <see cref="DerivedAssets.ShotClip"/>
/// (gc keeps it while the frame list is kept); later asks reuse it. The render itself makes none: the film is encoded
/// from the frames by the edit, so a clip nobody watches costs nothing. A shot journalled before clips were made on
/// demand carries its clip's hash (<c>VideoHash</c>), which <see cref="Resolve"/> serves while the vault holds it.
/// </summary>
public static class ShotClips
{
    /// <summary>One encode at a time per clip in this process: a second ask waits for the first and reuses its clip.</summary>
    static readonly ConcurrentDictionary<string, SemaphoreSlim> Making = new(StringComparer.Ordinal);

    /// <summary>
    /// The hash of the clip to serve for a shot: its journalled clip (<paramref name="videoHash"/>) when the vault still
    /// holds it, else the clip of <paramref name="framesHash"/> at <paramref name="fps"/> (<see cref="Ensure"/>); null when
    /// the shot has neither (it is not cut yet).
    /// </summary>
    public static string? Resolve(IBlobVault vault, string? videoHash, string? framesHash, int fps, CancellationToken ct = default)
    {
        if (videoHash is not null && vault.Contains(videoHash)) return videoHash;
        return framesHash is null ? null : Ensure(vault, framesHash, fps, ct);
    }

    /// <summary>The clip of the frame list <paramref name="framesHash"/> at <paramref name="fps"/>: the vault's, or encoded now and filed there.</summary>
    public static string Ensure(IBlobVault vault, string framesHash, int fps, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fps, 1);
        var name = DerivedAssets.ShotClip(framesHash, fps);
        if (Existing(vault, name) is { } made) return made;
        var gate = Making.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        gate.Wait(ct);
        try
        {
            if (Existing(vault, name) is { } other) return other;
            var finals = vault.GetJson<List<string>>(framesHash);
            if (finals.Count == 0) throw new InvalidDataException($"frame list {framesHash} is empty");
            var (_, width, height) = FrameCodec.ReadHeader(vault.Get(finals[0]));
            var clip = Encode(vault, finals, width, height, fps, ct);
            return vault.PutAsset(name, clip, "shot-video");
        }
        finally { gate.Release(); }
    }

    static string? Existing(IBlobVault vault, string name) => vault.ResolveAsset(name) is { } hash && vault.Contains(hash) ? hash : null;

    /// <summary>The H.264 clip (MP4 bytes) of the given 8-bit frames (vault hashes, in order) at <see cref="VideoEncoder.ClipPreset"/>.</summary>
    public static byte[] Encode(IBlobVault vault, IReadOnlyList<string> finals, int width, int height, int fps, CancellationToken ct = default)
    {
        var tmp = Path.Combine(Path.GetTempPath(), $"talos-shot-{Guid.NewGuid():N}.mp4");
        try
        {
            // one buffer for the clip: the encoder writes each frame to ffmpeg before it asks for the next
            var window = new Rgb24Window(1, width, height, i => vault.Get(finals[i]));
            var frames = Enumerable.Range(0, finals.Count).Select(i => window[i]);
            VideoEncoder.EncodeH264Async(frames, width, height, fps, tmp, ct: ct, preset: VideoEncoder.ClipPreset).GetAwaiter().GetResult();
            return File.ReadAllBytes(tmp);
        }
        finally { File.Delete(tmp); }
    }
}
