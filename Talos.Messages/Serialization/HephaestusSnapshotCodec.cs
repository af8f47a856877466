using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Talos.Messages.Events;
using Talos.Messages.Specs;
using SerializationException = System.Runtime.Serialization.SerializationException;

namespace Talos.Messages.Serialization;

/// <summary>
/// Hephaestus's snapshot as the journal serializer writes it now (manifest <c>talos.hephaestus.snapshot.v2</c>): a
/// versioned binary layout, Brotli-compressed. The registry's own fields (key, revision, status, outcome, priority; a
/// production's shot list, sound and film) are binary; each shot's spec is the same camelCase JSON the journal's events
/// hold (<see cref="ShotEventSerializer.Json"/>), so every spec field, present or added later, is in the snapshot as it
/// is in <c>ShotAdmitted</c>. The v1 snapshot was the whole registry as one JSON document: ~830 bytes a shot, 53 MB at
/// 64,000 shots, serialized and parsed as one large buffer and compressed by PostgreSQL on the way in and out; a
/// registry's specs repeat most of their fields (defaults, rigs, poses, camera), which Brotli's fastest level takes out
/// while it streams. v1 snapshots are still read (<see cref="ShotEventSerializer"/>'s table maps their manifest to JSON).
/// <para>Layout (after the compression, which covers everything after the 4-byte magic "THS" 2): the shot count, each
/// shot, the production count, each production, then the two counts again as a trailer (a truncated body fails, it
/// never reads as a smaller registry). Integers are 7-bit encoded, strings length-prefixed UTF-8, a nullable value is
/// preceded by a presence byte, <c>bool?</c> is one byte (0 null, 1 false, 2 true).</para>
/// </summary>
public static class HephaestusSnapshotCodec
{
    const byte Version = 2;
    static ReadOnlySpan<byte> Magic => [(byte)'T', (byte)'H', (byte)'S', Version];

    public static byte[] Write(HephaestusSnapshot snapshot)
    {
        var output = new MemoryStream();
        output.Write(Magic);
        using (var brotli = new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var buffered = new BufferedStream(brotli, 1 << 16))
        using (var w = new BinaryWriter(buffered, Encoding.UTF8, leaveOpen: true))
        {
            var json = new ArrayBufferWriter<byte>(4096);
            using var jsonWriter = new Utf8JsonWriter(json);
            w.Write7BitEncodedInt(snapshot.Shots.Count);
            foreach (var s in snapshot.Shots)
            {
                w.Write(s.Key);
                w.Write7BitEncodedInt(s.Revision);
                w.Write(s.Status);
                WriteNullable(w, s.Reason);
                w.Write7BitEncodedInt(s.OutcomeRevision);
                WriteNullable(w, s.FramesHash);
                WriteNullable(w, s.VideoHash);
                WriteNullable(w, s.ReportHash);
                w.Write(s.QualityPassed switch { null => (byte)0, false => (byte)1, true => (byte)2 });
                w.Write7BitEncodedInt(s.Revisions);
                w.Write7BitEncodedInt(s.Priority);
                json.ResetWrittenCount();
                jsonWriter.Reset(json);
                JsonSerializer.Serialize(jsonWriter, s.Spec, ShotEventSerializer.Json);
                jsonWriter.Flush();
                w.Write7BitEncodedInt(json.WrittenCount);
                w.Write(json.WrittenSpan);
            }
            w.Write7BitEncodedInt(snapshot.Productions.Count);
            foreach (var p in snapshot.Productions)
            {
                w.Write(p.Production);
                w.Write7BitEncodedInt(p.ShotKeys.Count);
                foreach (var k in p.ShotKeys) w.Write(k);
                WriteNullable(w, p.AudioAsset);
                w.Write(p.AudioOffsetSeconds);
                w.Write7BitEncodedInt(p.TransitionFrames);
                WriteNullable(w, p.FilmHash);
                w.Write7BitEncodedInt(p.FilmFrames);
                WriteNullable(w, p.EditFailure);
                w.Write(p.FilmCut is not null);
                if (p.FilmCut is { } cut)
                {
                    w.Write7BitEncodedInt(cut.Count);
                    foreach (var (k, r) in cut) { w.Write(k); w.Write7BitEncodedInt(r); }
                }
            }
            w.Write7BitEncodedInt(snapshot.Shots.Count);
            w.Write7BitEncodedInt(snapshot.Productions.Count);
        }
        return output.ToArray();
    }

    public static HephaestusSnapshot Read(byte[] bytes)
    {
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new SerializationException($"not a Hephaestus snapshot of layout {Version} (its first bytes are not \"THS\" {Version})");
        using var brotli = new BrotliStream(new MemoryStream(bytes, Magic.Length, bytes.Length - Magic.Length, writable: false), CompressionMode.Decompress);
        using var buffered = new BufferedStream(brotli, 1 << 16);
        using var r = new BinaryReader(buffered, Encoding.UTF8);
        byte[] json = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var shots = new ShotRecord[Count(r)];
            for (int i = 0; i < shots.Length; i++)
            {
                var key = r.ReadString();
                int revision = r.Read7BitEncodedInt();
                var status = r.ReadString();
                var reason = ReadNullable(r);
                int outcomeRevision = r.Read7BitEncodedInt();
                var (frames, video, report) = (ReadNullable(r), ReadNullable(r), ReadNullable(r));
                bool? quality = r.ReadByte() switch { 0 => null, 1 => false, 2 => true, var b => throw new SerializationException($"Hephaestus snapshot: quality byte {b}") };
                int revisions = r.Read7BitEncodedInt();
                int priority = r.Read7BitEncodedInt();
                int length = r.Read7BitEncodedInt();
                if (length > json.Length) { ArrayPool<byte>.Shared.Return(json); json = ArrayPool<byte>.Shared.Rent(length); }
                r.BaseStream.ReadExactly(json, 0, length);
                var spec = JsonSerializer.Deserialize<ShotSpec>(json.AsSpan(0, length), ShotEventSerializer.Json)
                           ?? throw new SerializationException($"Hephaestus snapshot: shot {key}'s spec is null");
                shots[i] = new ShotRecord(key, spec, revision)
                {
                    Status = status, Reason = reason, OutcomeRevision = outcomeRevision, FramesHash = frames, VideoHash = video, ReportHash = report,
                    QualityPassed = quality, Revisions = revisions, Priority = priority,
                };
            }
            var productions = new ProductionRecord[Count(r)];
            for (int i = 0; i < productions.Length; i++)
            {
                var name = r.ReadString();
                var keys = new string[Count(r)];
                for (int k = 0; k < keys.Length; k++) keys[k] = r.ReadString();
                var audio = ReadNullable(r);
                double offset = r.ReadDouble();
                int transition = r.Read7BitEncodedInt();
                var film = ReadNullable(r);
                int filmFrames = r.Read7BitEncodedInt();
                var editFailure = ReadNullable(r);
                Dictionary<string, int>? cut = null;
                if (r.ReadBoolean())
                {
                    int n = Count(r);
                    cut = new Dictionary<string, int>(n);
                    for (int k = 0; k < n; k++) cut.Add(r.ReadString(), r.Read7BitEncodedInt());
                }
                productions[i] = new ProductionRecord(name, keys, audio, offset, transition)
                {
                    FilmHash = film, FilmFrames = filmFrames, EditFailure = editFailure, FilmCut = cut,
                };
            }
            if (r.Read7BitEncodedInt() != shots.Length || r.Read7BitEncodedInt() != productions.Length)
                throw new SerializationException("Hephaestus snapshot: the trailer's counts differ from the body's");
            return new HephaestusSnapshot(shots, productions);
        }
        catch (EndOfStreamException e) { throw new SerializationException("Hephaestus snapshot: truncated", e); }
        finally { ArrayPool<byte>.Shared.Return(json); }
    }

    static int Count(BinaryReader r)
    {
        int n = r.Read7BitEncodedInt();
        return n >= 0 ? n : throw new SerializationException($"Hephaestus snapshot: count {n}");
    }

    static void WriteNullable(BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null) w.Write(value);
    }

    static string? ReadNullable(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;
}
