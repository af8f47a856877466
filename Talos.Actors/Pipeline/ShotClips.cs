using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
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
/// demand carries its clip's hash (<c>VideoHash</c>), which <see cref="ResolveAsync"/> serves while the vault holds it.
/// </summary>
public static class ShotClips
{
    /// <summary>
    /// The encodes under way in this process, per vault and clip name: asks that arrive while a clip is being made (a
    /// browser's parallel range requests) await that one encode instead of blocking a thread or starting another.
    /// </summary>
    static readonly ConditionalWeakTable<IBlobVault, ConcurrentDictionary<string, Task<string>>> Making = new();

    static long _encodes;

    /// <summary>How many clips this process has encoded (started), for diagnostics and tests.</summary>
    public static long Encodes => Interlocked.Read(ref _encodes);

    /// <summary>
    /// The hash of the clip to serve for a shot: its journalled clip (<paramref name="videoHash"/>) when the vault still
    /// holds it, else the clip of <paramref name="framesHash"/> at <paramref name="fps"/> (<see cref="EnsureAsync"/>);
    /// null when the shot has neither (it is not cut yet).
    /// </summary>
    public static async Task<string?> ResolveAsync(IBlobVault vault, string? videoHash, string? framesHash, int fps, CancellationToken ct = default)
    {
        if (videoHash is not null && vault.Contains(videoHash)) return videoHash;
        return framesHash is null ? null : await EnsureAsync(vault, framesHash, fps, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The clip of the frame list <paramref name="framesHash"/> at <paramref name="fps"/>: the vault's, or encoded now and
    /// filed there. One encode per clip however many ask at once; <paramref name="ct"/> ends only this ask's wait, never
    /// the encode (the others, and the next ask, still get its clip). Its blob is complete before the catalogue names it.
    /// </summary>
    public static Task<string> EnsureAsync(IBlobVault vault, string framesHash, int fps, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fps, 1);
        var name = DerivedAssets.ShotClip(framesHash, fps);
        if (Existing(vault, name) is { } made) return Task.FromResult(made);
        var making = Making.GetValue(vault, _ => new ConcurrentDictionary<string, Task<string>>(StringComparer.Ordinal));
        var mine = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var encode = making.GetOrAdd(name, mine.Task);
        if (encode == mine.Task)
            _ = Task.Run(async () =>
            {
                try { mine.SetResult(await MakeAsync(vault, framesHash, fps, name).ConfigureAwait(false)); }
                catch (Exception e) { mine.SetException(e); }
                finally { making.TryRemove(new KeyValuePair<string, Task<string>>(name, mine.Task)); } // the vault names it now; a failure is retried by the next ask
            }, CancellationToken.None);
        return encode.WaitAsync(ct);
    }

    static async Task<string> MakeAsync(IBlobVault vault, string framesHash, int fps, string name)
    {
        if (Existing(vault, name) is { } other) return other; // filed by an encode that ended between the ask's look and this one
        var finals = vault.GetJson<List<string>>(framesHash);
        if (finals.Count == 0) throw new InvalidDataException($"frame list {framesHash} is empty");
        var (_, width, height) = FrameCodec.ReadHeader(vault.Get(finals[0]));
        Interlocked.Increment(ref _encodes);
        var clip = await EncodeAsync(vault, finals, width, height, fps).ConfigureAwait(false);
        return vault.PutAsset(name, clip, "shot-video"); // written to a temp file and renamed: a reader sees the whole clip or none
    }

    static string? Existing(IBlobVault vault, string name) => vault.ResolveAsset(name) is { } hash && vault.Contains(hash) ? hash : null;

    /// <summary>The H.264 clip (MP4 bytes) of the given 8-bit frames (vault hashes, in order) at <see cref="VideoEncoder.ClipPreset"/>.</summary>
    public static async Task<byte[]> EncodeAsync(IBlobVault vault, IReadOnlyList<string> finals, int width, int height, int fps, CancellationToken ct = default)
    {
        var tmp = Path.Combine(Path.GetTempPath(), $"talos-shot-{Guid.NewGuid():N}.mp4");
        try
        {
            // one buffer for the clip: the encoder writes each frame to ffmpeg before it asks for the next
            var window = new Rgb24Window(1, width, height, i => vault.Get(finals[i]));
            var frames = Enumerable.Range(0, finals.Count).Select(i => window[i]);
            await VideoEncoder.EncodeH264Async(frames, width, height, fps, tmp, ct: ct, preset: VideoEncoder.ClipPreset).ConfigureAwait(false);
            return await File.ReadAllBytesAsync(tmp, ct).ConfigureAwait(false);
        }
        finally { File.Delete(tmp); }
    }
}
