using System.Text.Json;
using Microsoft.Data.Sqlite;
using Talos.Actors.Hephaestus;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Imaging;
using Talos.Messages.Serialization;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Talos.Vault;
using Xunit;
using static Talos.Tests.Cuttura.CutturaTestMedia;

namespace Talos.Tests.Actors;

/// <summary>
/// The film edit streamed shot by shot (<see cref="ProductionEditor.StreamAsync"/>): ffmpeg starts with the first shot
/// and waits for each next one; the film is the all-at-once edit's bit for bit, and an edit cancelled while it waits
/// leaves no ffmpeg and no file behind.
/// </summary>
public sealed class StreamedEditTests : IDisposable
{
    const int W = 32, H = 18;
    readonly string _dir = Repo.TempDir("streamed-edit");
    readonly BlobVault _vault;

    public StreamedEditTests()
    {
        FfmpegTools.EnsureAvailable();
        _vault = BlobVault.Open(Path.Combine(_dir, "vault"));
    }

    public void Dispose()
    {
        _vault.Dispose();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>A final shot of the cut: <paramref name="frames"/> frames ramping from grey <paramref name="grey"/>, its spec as long.</summary>
    EditClip Clip(string id, string transition, int frames, byte grey)
    {
        var spec = Samples.Shot(id, "p", width: W, height: H, fps: 12, seconds: frames / 12.0) with { Transition = transition };
        Assert.Equal(frames, spec.FrameCount);
        var hashes = Enumerable.Range(0, frames).Select(i => _vault.Put(FrameCodec.EncodeRgb24(
            Square(W, H, i * 2, 3, 6).Select(b => (byte)Math.Min(255, b / 2 + grey)).ToArray(), W, H), "frame")).ToList();
        var list = _vault.Put(JsonSerializer.SerializeToUtf8Bytes(hashes, ShotEventSerializer.Json), "frames");
        return new EditClip(id, list, transition, 12, $"p--{id}", 1, spec);
    }

    EditJob Job() => new("p", [Clip("a", "cut", 7, 20), Clip("b", "dissolve", 6, 120), Clip("c", "fade", 5, 60), Clip("d", "cut", 4, 200)], null, 0, 4);

    /// <summary>The cut before any shot is final: each clip's frames empty, as <see cref="HephaestusState.PlannedEdit"/> makes it.</summary>
    static EditJob Plan(EditJob job) => job with { Clips = job.Clips.Select(c => c with { FramesHash = "" }).ToList() };

    [Fact]
    public async Task A_film_streamed_shot_by_shot_is_the_all_at_once_film_bit_for_bit()
    {
        var job = Job();
        var wav = Path.Combine(_dir, "mix.wav");
        WriteSineWav(wav, 2);
        var all = await ProductionEditor.EditAllAsync(job, _vault, (job.Clips.Select(c => c.Spec!.FrameCount).ToList(), wav));

        // each shot is final only once the encoder asks for it: ffmpeg runs meanwhile, waiting on its pipe
        var final = job.Clips.Select(_ => new TaskCompletionSource<EditClip>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var asked = new List<int>();
        Task<EditClip> FinalClip(int i)
        {
            lock (asked) asked.Add(i);
            _ = Task.Run(() => final[i].TrySetResult(job.Clips[i]), TestContext.Current.CancellationToken);
            return final[i].Task;
        }
        var streamed = await ProductionEditor.StreamAsync(Plan(job), FinalClip, _vault, wav, TestContext.Current.CancellationToken, _dir);

        Assert.NotNull(streamed);
        Assert.Equal(all.FilmHash, streamed.FilmHash);
        Assert.Equal((22, 22), (all.Frames, streamed.Frames));
        Assert.True(streamed.Job.SameCut(job));
        Assert.Equal([0, 0, 1, 2, 3], asked); // the first before ffmpeg starts, then each once as the edit reaches it
        Assert.Equal(["mix.wav", "vault"], Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // a shot whose frames are not as many as its spec says: the sound mixed from the specs would be wrong, so no film
        var longer = job with { Clips = [.. job.Clips.Take(3), Clip("d", "cut", 5, 200) with { Spec = job.Clips[3].Spec }] };
        Assert.Null(await ProductionEditor.StreamAsync(Plan(longer), i => Task.FromResult(longer.Clips[i]), _vault, wav, TestContext.Current.CancellationToken, _dir));
    }

    [Fact]
    public async Task An_edit_cancelled_while_it_waits_for_a_shot_stops_ffmpeg_and_leaves_no_file()
    {
        var job = Job();
        var tmp = Directory.CreateDirectory(Path.Combine(_dir, "tmp")).FullName;
        var secondAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource<EditClip>();
        Task<EditClip> FinalClip(int i)
        {
            if (i == 0) return Task.FromResult(job.Clips[0]);
            secondAsked.TrySetResult();
            return never.Task;
        }
        using var abort = new CancellationTokenSource();
        var edit = ProductionEditor.StreamAsync(Plan(job), FinalClip, _vault, null, abort.Token, tmp);
        // shot b is asked for once a's frames are all in ffmpeg's pipe (a cut into b: not before)
        await secondAsked.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.NotEmpty(Ffmpegs(tmp)); // the encoder runs, waiting for b
        abort.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => edit);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Ffmpegs(tmp).Count > 0 && DateTime.UtcNow < until) await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Empty(Ffmpegs(tmp));
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp));
    }

    /// <summary>The processes whose command line names <paramref name="dir"/> (the encoder writing there).</summary>
    static List<int> Ffmpegs(string dir)
    {
        var found = new List<int>();
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                var cmd = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                if (cmd.Contains("ffmpeg", StringComparison.Ordinal) && cmd.Contains(dir, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }
}
