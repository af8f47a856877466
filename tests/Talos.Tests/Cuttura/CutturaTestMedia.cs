using System.Buffers.Binary;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Processes;

namespace Talos.Tests.Cuttura;

/// <summary>Test media: synthetic frames, a sine WAV, and an independent ffmpeg decode of what was encoded.</summary>
static class CutturaTestMedia
{
    public static byte[] Solid(int w, int h, byte r, byte g, byte b)
    {
        var f = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) { f[i * 3] = r; f[i * 3 + 1] = g; f[i * 3 + 2] = b; }
        return f;
    }

    /// <summary>Dark blue background with a white square (size s) whose top-left is at (x, y).</summary>
    public static byte[] Square(int w, int h, int x, int y, int s)
    {
        var f = Solid(w, h, 20, 30, 90);
        for (int yy = y; yy < y + s; yy++)
            for (int xx = x; xx < x + s; xx++)
            {
                int i = (yy * w + xx) * 3;
                f[i] = f[i + 1] = f[i + 2] = 255;
            }
        return f;
    }

    /// <summary>16-bit PCM mono sine WAV.</summary>
    public static void WriteSineWav(string path, double seconds, double hz = 440, int rate = 48000)
    {
        int n = (int)(seconds * rate);
        var bytes = new byte[44 + n * 2];
        var s = bytes.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], 36 + n * 2);
        "WAVEfmt "u8.CopyTo(s[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(s[20..], 1);        // PCM
        BinaryPrimitives.WriteInt16LittleEndian(s[22..], 1);        // mono
        BinaryPrimitives.WriteInt32LittleEndian(s[24..], rate);
        BinaryPrimitives.WriteInt32LittleEndian(s[28..], rate * 2); // byte rate
        BinaryPrimitives.WriteInt16LittleEndian(s[32..], 2);        // block align
        BinaryPrimitives.WriteInt16LittleEndian(s[34..], 16);       // bits
        "data"u8.CopyTo(s[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[40..], n * 2);
        for (int i = 0; i < n; i++)
            BinaryPrimitives.WriteInt16LittleEndian(s[(44 + i * 2)..], (short)Math.Round(12000 * Math.Sin(2 * Math.PI * hz * i / rate)));
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Decodes a video back to RGB24 frames with ffmpeg, which (like a player) reads the colour tags of the stream.</summary>
    public static List<byte[]> DecodeRgb24(string path, int w, int h)
    {
        var ffmpeg = FfmpegTools.EnsureAvailable();
        using var ms = new MemoryStream();
        ProcessRunner.Run(ffmpeg, ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], stdout: ms);
        var all = ms.ToArray();
        int fb = w * h * 3;
        var frames = new List<byte[]>();
        for (int o = 0; o + fb <= all.Length; o += fb) frames.Add(all.AsSpan(o, fb).ToArray());
        return frames;
    }

    /// <summary>Mean of one channel over a rectangle.</summary>
    public static double Mean(byte[] f, int w, int x0, int y0, int x1, int y1, int c)
    {
        long sum = 0;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++) sum += f[(y * w + x) * 3 + c];
        return (double)sum / ((x1 - x0) * (y1 - y0));
    }

    public static void SavePng(string name, byte[] rgb, int w, int h)
    {
        var dir = Path.Combine(Path.GetTempPath(), "vault");
        Directory.CreateDirectory(dir);
        using var fs = File.Create(Path.Combine(dir, name));
        new StbImageWriteSharp.ImageWriter().WritePng(rgb, w, h, StbImageWriteSharp.ColorComponents.RedGreenBlue, fs);
    }

    /// <summary>Frames laid side by side (for looking at a transition).</summary>
    public static byte[] Strip(IReadOnlyList<byte[]> frames, int w, int h)
    {
        int W = w * frames.Count;
        var s = new byte[W * h * 3];
        for (int k = 0; k < frames.Count; k++)
            for (int y = 0; y < h; y++)
                Buffer.BlockCopy(frames[k], y * w * 3, s, (y * W + k * w) * 3, w * 3);
        return s;
    }
}
