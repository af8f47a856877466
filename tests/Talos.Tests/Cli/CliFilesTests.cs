using System.IO.Compression;
using Talos.Cli;
using Xunit;

namespace Talos.Tests.Cli;

/// <summary>CliFiles: clear errors for inputs, atomic outputs, and a png16 film's zip unpacked safely into --out.</summary>
public sealed class CliFilesTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("talos-clifiles").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Inputs_say_what_is_wrong_and_outputs_land_whole()
    {
        Assert.Contains("no such file", Assert.Throws<UsageException>(() => CliFiles.Read(Path.Combine(_dir, "nope.png"))).Message);
        Assert.Contains("is a directory", Assert.Throws<UsageException>(() => CliFiles.Read(_dir)).Message);

        var path = Path.Combine(_dir, "a", "b", "out.json");
        CliFiles.Write(path, "{\"x\": 1}");
        CliFiles.Write(path, "{\"x\": 2}");
        Assert.Equal("{\"x\": 2}", CliFiles.ReadText(path));
        Assert.Equal(["out.json"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName)); // no temp file left
        Assert.Contains("larger than", Assert.Throws<UsageException>(() => CliFiles.Read(path, maxBytes: 2)).Message);
    }

    [Fact]
    public async Task A_zipped_PNG_sequence_unpacks_into_the_directory_replacing_it()
    {
        var out16 = Path.Combine(_dir, "film");
        Directory.CreateDirectory(out16);
        File.WriteAllText(Path.Combine(out16, "stale.png"), "old");
        using (var zip = Zip(("frame_00000.png", [1, 2]), ("frame_00001.png", [3])))
            await CliFiles.ExtractZipAsync(new NonSeekable(zip), out16, default); // as it comes off the network
        Assert.Equal(["frame_00000.png", "frame_00001.png"], Directory.GetFiles(out16).Select(Path.GetFileName).Order());
        Assert.Equal([1, 2], File.ReadAllBytes(Path.Combine(out16, "frame_00000.png")));
        Assert.Equal(["film"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName)); // no .part left
    }

    [Theory]
    [InlineData("../escape.png")]
    [InlineData("frames/../../escape.png")]
    [InlineData("/etc/escape.png")]
    [InlineData("C:/escape.png")]
    [InlineData("frames\\..\\escape.png")]
    [InlineData("./frame.png")]
    [InlineData("frames//frame.png")]
    public async Task Zip_entries_with_path_tricks_are_refused_and_nothing_is_written(string name)
    {
        var out16 = Path.Combine(_dir, "film");
        using var zip = Zip(("frame_00000.png", [1]), (name, [2]));
        await Assert.ThrowsAsync<InvalidDataException>(() => CliFiles.ExtractZipAsync(zip, out16, default));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_dir)!, "escape.png")));
    }

    [Fact]
    public async Task A_name_that_comes_twice_is_refused()
    {
        using var zip = Zip(("f.png", [1]), ("f.png", [2]));
        await Assert.ThrowsAsync<InvalidDataException>(() => CliFiles.ExtractZipAsync(zip, Path.Combine(_dir, "film"), default));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    static MemoryStream Zip(params (string Name, byte[] Bytes)[] entries)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in entries)
                using (var s = zip.CreateEntry(name).Open()) s.Write(bytes);
        ms.Position = 0;
        return ms;
    }

    sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
