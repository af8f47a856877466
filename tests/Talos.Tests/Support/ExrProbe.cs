using Talos.Gpu.Processes;
using Xunit;

namespace Talos.Tests.Support;

/// <summary>EXR files read by other people's readers: OpenEXR's exrheader (header) and ffmpeg's EXR decoder (RGBA pixels).</summary>
static class ExrProbe
{
    /// <summary>exrheader's report of the file; fails the test when exrheader cannot read it.</summary>
    public static string Header(string path)
    {
        var r = ProcessRunner.Run(ProcessRunner.Require("exrheader", "openexr"), [path]);
        Assert.True(r.ExitCode == 0, path + ": " + r.Error + r.Output);
        return r.Output;
    }

    /// <summary>The channels exrheader lists, as "NAME, TYPE" (e.g. "Z, 32-bit floating-point").</summary>
    public static List<string> Channels(string header) => header.Split('\n').SkipWhile(l => !l.StartsWith("channels")).Skip(1)
        .TakeWhile(l => l.StartsWith(' ')).Select(l => string.Join(",", l.Split(',').Take(2)).Trim()).ToList();

    /// <summary>An RGBA EXR as ffmpeg decodes it (gbrapf32le): planes R, G, B, A.</summary>
    public static float[][] Rgba(string path, int width, int height)
    {
        var raw = path + ".raw";
        var r = ProcessRunner.Run(ProcessRunner.Require("ffmpeg"), ["-v", "error", "-y", "-i", path, "-f", "rawvideo", "-pix_fmt", "gbrapf32le", raw]);
        Assert.True(r.ExitCode == 0, r.Error);
        var bytes = File.ReadAllBytes(raw);
        File.Delete(raw);
        Assert.Equal(4 * 4 * width * height, bytes.Length);
        var f = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, f, 0, bytes.Length);
        int n = width * height;
        var planes = Enumerable.Range(0, 4).Select(i => f[(i * n)..((i + 1) * n)]).ToArray();
        return [planes[2], planes[0], planes[1], planes[3]];
    }

    /// <summary>Premultiplied RGBA planes stacked with "over", the first at the bottom.</summary>
    public static float[][] Over(IEnumerable<float[][]> stack, int pixels)
    {
        var acc = new float[4][] { new float[pixels], new float[pixels], new float[pixels], new float[pixels] };
        foreach (var layer in stack)
            for (int p = 0; p < pixels; p++)
            {
                float k = 1f - layer[3][p];
                for (int c = 0; c < 4; c++) acc[c][p] = layer[c][p] + acc[c][p] * k;
            }
        return acc;
    }

    /// <summary>A one-channel ZIP file's samples (read here: ffmpeg cannot decode a lone Z channel), each block inflated and ZIP's reordering undone (a block of the raw size is stored raw).</summary>
    public static IEnumerable<byte[]> Samples(byte[] file, int width, int height, int size)
    {
        int pos = 8;
        while (file[pos] != 0) // attributes: name\0 type\0 size value
        {
            pos = Array.IndexOf(file, (byte)0, pos) + 1;
            pos = Array.IndexOf(file, (byte)0, pos) + 1;
            pos += 4 + BitConverter.ToInt32(file, pos);
        }
        pos++;
        int blocks = (height + 15) / 16;
        for (int b = 0; b < blocks; b++)
        {
            int at = (int)BitConverter.ToInt64(file, pos + 8 * b);
            Assert.Equal(b * 16, BitConverter.ToInt32(file, at));
            int len = BitConverter.ToInt32(file, at + 4), rawLen = Math.Min(16, height - b * 16) * width * size;
            var data = file.AsSpan(at + 8, len).ToArray();
            if (len < rawLen)
            {
                using var z = new System.IO.Compression.ZLibStream(new MemoryStream(data), System.IO.Compression.CompressionMode.Decompress);
                var t = new byte[rawLen];
                z.ReadExactly(t);
                for (int i = 1; i < t.Length; i++) t[i] = (byte)(t[i - 1] + t[i] - 128);
                data = new byte[rawLen];
                int half = (rawLen + 1) / 2;
                for (int i = 0; i < rawLen; i++) data[i] = t[(i & 1) == 0 ? i / 2 : half + i / 2];
            }
            for (int i = 0; i < rawLen; i += size) yield return data[i..(i + size)];
        }
    }
}
