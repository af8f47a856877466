using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Talos.Gpu.Stokes;

/// <summary>
/// Byte format of a saved simulation ("TSK1", version 2): a 36-byte header (magic, version, grid size, fps, frame,
/// emitter fingerprint, field count), the state fields as little-endian float32 planes including borders, the particle
/// count and particles (7 float32 each), then an FNV-1a 64 checksum of everything before it. Exact floats in, exact floats out, so resuming is bit-identical.
/// </summary>
static class SimulationState
{
    const uint Magic = 0x314B5354; // "TSK1"
    const int Version = 2, HeaderBytes = 36, ChecksumBytes = 8, Fields = 9;

    public static byte[] Write(FluidGrid g, int fps, int frame, ulong fingerprint, Particles particles)
    {
        var fields = g.StateFields;
        int particleFloats = particles.Count * Particles.FloatsPerParticle;
        var bytes = new byte[HeaderBytes + fields.Length * g.Count * 4 + 4 + particleFloats * 4 + ChecksumBytes];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], g.Nx);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], g.Ny);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], fps);
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], frame);
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], fingerprint);
        BinaryPrimitives.WriteInt32LittleEndian(span[32..], fields.Length);
        int at = HeaderBytes;
        foreach (var f in fields)
        {
            var dst = span.Slice(at, f.Length * 4);
            if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(f.AsSpan()).CopyTo(dst);
            else for (int k = 0; k < f.Length; k++) BinaryPrimitives.WriteSingleLittleEndian(dst[(k * 4)..], f[k]);
            at += f.Length * 4;
        }
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], particles.Count);
        at += 4;
        var pf = new float[particleFloats];
        particles.Write(pf);
        foreach (var x in pf) { BinaryPrimitives.WriteSingleLittleEndian(span[at..], x); at += 4; }
        BinaryPrimitives.WriteUInt64LittleEndian(span[at..], Fnv1a(span[..at]));
        return bytes;
    }

    public static (FluidGrid grid, int frame) Read(byte[] bytes, int fps, ulong fingerprint, Particles particles)
    {
        var span = bytes.AsSpan();
        if (span.Length < HeaderBytes + ChecksumBytes || BinaryPrimitives.ReadUInt32LittleEndian(span) != Magic)
            throw new InvalidDataException($"not a STOKES simulation state ({span.Length} bytes, bad magic or too short)");
        int version = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        if (version != Version) throw new InvalidDataException($"STOKES state version {version} is not supported (expected {Version})");
        int nx = BinaryPrimitives.ReadInt32LittleEndian(span[8..]), ny = BinaryPrimitives.ReadInt32LittleEndian(span[12..]);
        int savedFps = BinaryPrimitives.ReadInt32LittleEndian(span[16..]), frame = BinaryPrimitives.ReadInt32LittleEndian(span[20..]);
        ulong savedPrint = BinaryPrimitives.ReadUInt64LittleEndian(span[24..]);
        int fieldCount = BinaryPrimitives.ReadInt32LittleEndian(span[32..]);
        if (nx is < 4 or > 1024 || ny is < 4 or > 1024 || frame < -1 || fieldCount != Fields)
            throw new InvalidDataException($"corrupt STOKES state header (grid {nx}x{ny}, frame {frame}, {fieldCount} fields)");
        long fieldBytes = (long)fieldCount * (nx + 2) * (ny + 2) * 4;
        if (span.Length < HeaderBytes + fieldBytes + 4 + ChecksumBytes)
            throw new InvalidDataException($"truncated STOKES state: {span.Length} bytes is too short for a {nx}x{ny} grid");
        int particleCount = BinaryPrimitives.ReadInt32LittleEndian(span[(int)(HeaderBytes + fieldBytes)..]);
        if (particleCount is < 0 or > Particles.Capacity)
            throw new InvalidDataException($"corrupt STOKES state: {particleCount} particles");
        long expected = HeaderBytes + fieldBytes + 4 + (long)particleCount * Particles.FloatsPerParticle * 4 + ChecksumBytes;
        if (span.Length != expected)
            throw new InvalidDataException($"truncated or padded STOKES state: {span.Length} bytes, a {nx}x{ny} grid needs {expected}");
        int end = span.Length - ChecksumBytes;
        if (BinaryPrimitives.ReadUInt64LittleEndian(span[end..]) != Fnv1a(span[..end]))
            throw new InvalidDataException("corrupt STOKES state: checksum mismatch");
        if (savedFps != fps)
            throw new InvalidDataException($"STOKES state was saved at {savedFps} fps and cannot resume at {fps} fps");
        if (savedPrint != fingerprint)
            throw new InvalidDataException("STOKES state was saved for different effects than the ones given; it cannot resume them");

        var g = new FluidGrid(nx, ny);
        int at = HeaderBytes;
        foreach (var f in g.StateFields)
        {
            var src = span.Slice(at, f.Length * 4);
            if (BitConverter.IsLittleEndian) src.CopyTo(MemoryMarshal.AsBytes(f.AsSpan()));
            else for (int k = 0; k < f.Length; k++) f[k] = BinaryPrimitives.ReadSingleLittleEndian(src[(k * 4)..]);
            at += f.Length * 4;
        }
        at += 4;
        var pf = new float[particleCount * Particles.FloatsPerParticle];
        for (int n = 0; n < pf.Length; n++) pf[n] = BinaryPrimitives.ReadSingleLittleEndian(span[(at + 4 * n)..]);
        particles.Read(pf, particleCount);
        return (g, frame);
    }

    /// <summary>Identity of the emitters, so a state cannot silently resume a different set of effects.</summary>
    public static ulong Fingerprint(IReadOnlyList<Emitter> emitters)
    {
        Span<byte> buf = stackalloc byte[32];
        ulong h = Fnv1a([]);
        foreach (var e in emitters)
        {
            BinaryPrimitives.WriteInt32LittleEndian(buf, (int)e.Kind);
            BinaryPrimitives.WriteSingleLittleEndian(buf[4..], e.X);
            BinaryPrimitives.WriteSingleLittleEndian(buf[8..], e.Y);
            BinaryPrimitives.WriteInt32LittleEndian(buf[12..], e.StartFrame);
            BinaryPrimitives.WriteInt32LittleEndian(buf[16..], e.EndFrame ?? int.MinValue);
            BinaryPrimitives.WriteSingleLittleEndian(buf[20..], e.Strength);
            BinaryPrimitives.WriteInt32LittleEndian(buf[24..], e.Index);
            BinaryPrimitives.WriteInt32LittleEndian(buf[28..], emitters.Count);
            h = Fnv1a(buf, h);
        }
        return h;
    }

    static ulong Fnv1a(ReadOnlySpan<byte> data, ulong h = 14695981039346656037UL)
    {
        foreach (byte b in data) { h ^= b; h *= 1099511628211UL; }
        return h;
    }
}
