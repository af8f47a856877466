using System.Text.Json;
using Talos.Gpu.Imaging;

namespace Talos.Cluster.Seed.Api;

/// <summary>
/// What an uploaded asset is, decided by its bytes (never by its name or Content-Type): PNG or JPEG (its header, held to
/// the image size limits: <see cref="ImageHeader.Read"/>; the upload route then decodes it), audio (RIFF/WAVE with a fmt chunk, FLAC, Ogg, MP3 with an ID3 tag or a frame sync; the upload route then has
/// <c>AudioDecoder</c> check the sound itself), palette JSON (an object of region → #rrggbb), a rig file (a JSON object with
/// <c>bones</c> or <c>rigs</c>; the upload route then loads it, drawings and all, with <c>RigAssets.Load</c>), ONNX (a protobuf
/// ModelProto: field 1 ir_version as a varint, and a graph field 7). Anything else is refused with the reason.
/// </summary>
public static class AssetSniffer
{
    public const string Png = "keyframe-image";
    public const string Jpeg = "jpeg-image";
    public const string Wav = "audio";
    public const string Palette = "palette";
    public const string Onnx = "onnx-model";
    public const string Rig = Talos.Gpu.Axis.RigAssets.RigKind;

    /// <summary>Keys that make a JSON object a rig file rather than a palette: a skeleton, or the first format's list of rigs.</summary>
    static readonly string[] RigMarkers = ["bones", "rigs"];

    public static bool TrySniff(byte[] data, out string kind, out string problem)
    {
        kind = ""; problem = "";
        if (ImageHeader.LooksLikeImage(data))
        {
            // The header's size is held to the image limits before anything decodes it (the upload route then decodes it once).
            if (ImageHeader.Read(data, out problem) is not { } header) return false;
            kind = header.Format == ImageHeader.Png ? Png : Jpeg; return true;
        }
        if (data.Length >= 12 && data.AsSpan(0, 4).SequenceEqual("RIFF"u8))
        {
            if (!data.AsSpan(8, 4).SequenceEqual("WAVE"u8)) { problem = "a RIFF file that is not WAVE"; return false; }
            if (data.AsSpan(12).IndexOf("fmt "u8) < 0) { problem = "a WAVE file without a fmt chunk"; return false; }
            kind = Wav; return true;
        }
        if (data.AsSpan().StartsWith("fLaC"u8) || data.AsSpan().StartsWith("OggS"u8) || data.AsSpan().StartsWith("ID3"u8)
            || (data.Length >= 4 && data[0] == 0xFF && (data[1] & 0xE6) is 0xE2 or 0xE4 or 0xE6 && (data[2] & 0xF0) != 0xF0)) // MPEG audio frame sync, layer set, bitrate not "bad"
        {
            kind = Wav; return true;
        }
        int first = 0;
        while (first < data.Length && data[first] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') first++;
        if (first < data.Length && data[first] == (byte)'{') return SniffPalette(data, out kind, out problem);
        if (LooksLikeOnnx(data)) { kind = Onnx; return true; }
        problem = "unrecognised content (accepted: PNG and JPEG images, WAV/FLAC/Ogg/MP3 audio, palette JSON, rig files, ONNX models)";
        return false;
    }

    static bool SniffPalette(byte[] data, out string kind, out string problem)
    {
        kind = "";
        try
        {
            using var doc = JsonDocument.Parse(data);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) { problem = "JSON that is not an object of region → colour"; return false; }
            if (RigMarkers.Any(m => root.TryGetProperty(m, out _))) { kind = Rig; problem = ""; return true; }
            int n = 0;
            foreach (var p in root.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String || !Rgb.TryParseHex(p.Value.GetString(), out _))
                { problem = $"palette region '{p.Name}' is not a '#rrggbb' colour"; return false; }
                if (++n > 256) { problem = "a palette of more than 256 regions"; return false; }
            }
            if (n == 0) { problem = "an empty palette"; return false; }
        }
        catch (JsonException e) { problem = "JSON that does not parse: " + e.Message; return false; }
        kind = Palette; problem = ""; return true;
    }

    /// <summary>An ONNX ModelProto is a protobuf message; its first field is ir_version (1, varint: tag 0x08) and it has a graph (7, length-delimited: 0x3A).</summary>
    static bool LooksLikeOnnx(byte[] data)
    {
        if (data.Length < 4 || data[0] != 0x08) return false;
        int pos = 0; bool graph = false;
        while (pos < data.Length)
        {
            if (!ReadVarint(data, ref pos, out ulong tag)) return false;
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            if (field == 0) return false;
            switch (wire)
            {
                case 0: if (!ReadVarint(data, ref pos, out _)) return false; break;
                case 1: pos += 8; break;
                case 5: pos += 4; break;
                case 2:
                    if (!ReadVarint(data, ref pos, out ulong len) || len > (ulong)(data.Length - pos)) return false;
                    pos += (int)len;
                    if (field == 7) graph = true;
                    break;
                default: return false;
            }
            if (pos > data.Length) return false;
        }
        return graph;
    }

    static bool ReadVarint(byte[] data, ref int pos, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && pos < data.Length; shift += 7)
        {
            byte b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return true;
        }
        return false;
    }
}
