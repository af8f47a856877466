using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Talos.Messages.Specs;

namespace Talos.Gpu.Axis;

/// <summary>A file to store in the vault under its content name (<c>sha256/HASH</c>), with its kind.</summary>
public sealed record ContentAsset(string Name, string Kind, byte[] Bytes)
{
    public static ContentAsset Of(byte[] bytes, string kind) => new(Identifiers.HashPrefix + Convert.ToHexStringLower(SHA256.HashData(bytes)), kind, bytes);
}

/// <summary>
/// Rigs by content. A shot spec names a character's rig as a built-in name or as a rig file in the vault, <c>sha256/HASH</c>;
/// a rig file names its drawings (<see cref="Rigs.AssetKeys"/>) by <c>sha256/HASH</c> too, so the rig's own hash covers
/// every byte it draws with (a changed rig or drawing is a new hash, and the chunks that draw it render again). Every node
/// loads a rig from the vault by hash through <see cref="Resolve"/>; <see cref="Import"/> turns a rig file on disk and the
/// drawings beside it into those vault assets.
/// </summary>
public static class RigAssets
{
    public const string RigKind = SpecAssets.Rig, DrawingKind = "rig-drawing";
    /// <summary>Largest rig file (JSON) and drawing accepted, in bytes.</summary>
    public const int MaxRigBytes = 8 * 1024 * 1024, MaxDrawingBytes = 64 * 1024 * 1024;

    /// <summary>Rigs loaded in this process, by content name: the bytes of a hash never change, so neither does its rig.</summary>
    static readonly ConcurrentDictionary<string, Rig> Loaded = new(StringComparer.Ordinal);

    /// <summary>
    /// The rig <paramref name="rig"/> names: a built-in by name (<see cref="Rigs.Get"/>), or the rig file <c>sha256/HASH</c>
    /// read by <paramref name="asset"/> (a vault asset's bytes by name, null when absent) and loaded with its drawings read
    /// the same way. Without a reader only rigs already loaded in this process resolve. A problem is an
    /// <see cref="InvalidDataException"/> naming the rig (an unknown built-in stays an <see cref="ArgumentException"/>).
    /// </summary>
    public static Rig Resolve(string rig, Func<string, byte[]?>? asset)
    {
        if (!Identifiers.IsHashName(rig)) return Rigs.Get(rig);
        if (Loaded.TryGetValue(rig, out var known)) return known;
        if (asset is null) throw new InvalidDataException($"rig {rig} is a rig file in the vault, and nothing here reads the vault");
        var bytes = asset(rig) ?? throw new InvalidDataException($"unknown rig asset '{rig}': the rig file is not in the vault (upload it first)");
        return Loaded.GetOrAdd(rig, Load(bytes, $"rig {rig}", asset));
    }

    /// <summary>A rig file's bytes loaded, its drawings read by content name through <paramref name="asset"/>.</summary>
    public static Rig Load(byte[] bytes, string what, Func<string, byte[]?> asset)
    {
        if (bytes.Length > MaxRigBytes) throw new InvalidDataException($"{what}: the rig file is {bytes.Length} bytes; at most {MaxRigBytes}");
        string json;
        try { json = new UTF8Encoding(false, true).GetString(bytes); }
        catch (DecoderFallbackException) { throw new InvalidDataException($"{what}: the rig file is not UTF-8 text"); }
        try
        {
            return Rigs.Load(json, reference => Identifiers.IsHashName(reference)
                ? asset(reference) ?? throw new ArgumentException($"drawing '{reference}' is not in the vault (upload it first)")
                : throw new ArgumentException($"drawing '{Identifiers.Printable(reference)}' is not named by its content (sha256/HASH): upload it and name it so"));
        }
        catch (ArgumentException e) { throw new InvalidDataException($"{what}: {e.Message}"); }
    }

    /// <summary>
    /// A rig file on disk as vault assets: every drawing it references under a <see cref="Rigs.AssetKeys"/> key (a path
    /// relative to the rig file's folder, which must stay inside it) read and named by its content, the references rewritten
    /// to those names (a file without references keeps its bytes), and the rig loaded to check it. Nothing is stored: the
    /// caller stores <c>Assets</c> (drawings first, the rig last) once everything it needs has loaded.
    /// </summary>
    public static (Rig Rig, ContentAsset File, IReadOnlyList<ContentAsset> Drawings) Import(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new InvalidDataException($"rig file '{path}' not found");
        if (new FileInfo(full).Length > MaxRigBytes) throw new InvalidDataException($"rig file '{path}' is larger than {MaxRigBytes} bytes");
        var bytes = File.ReadAllBytes(full);
        var folder = Path.GetDirectoryName(full)!;
        var drawings = new Dictionary<string, ContentAsset>(StringComparer.Ordinal);
        var rewritten = Rewrite(bytes, $"rig file '{path}'", reference =>
        {
            var file = Path.GetFullPath(Path.Combine(folder, reference));
            if (!file.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new InvalidDataException($"rig file '{path}': drawing '{Identifiers.Printable(reference)}' is outside the rig file's folder");
            if (!File.Exists(file)) throw new InvalidDataException($"rig file '{path}': drawing '{Identifiers.Printable(reference)}' not found ({file})");
            if (new FileInfo(file).Length > MaxDrawingBytes) throw new InvalidDataException($"rig file '{path}': drawing '{reference}' is larger than {MaxDrawingBytes} bytes");
            var drawing = ContentAsset.Of(File.ReadAllBytes(file), DrawingKind);
            drawings.TryAdd(drawing.Name, drawing);
            return drawing.Name;
        });
        var asset = ContentAsset.Of(rewritten, RigKind);
        var rig = Load(asset.Bytes, $"rig file '{path}'", name => drawings.TryGetValue(name, out var d) ? d.Bytes : null);
        Loaded.TryAdd(asset.Name, rig);
        return (rig, asset, drawings.Values.ToList());
    }

    /// <summary>
    /// The rig file with every drawing reference (a string under a <see cref="Rigs.AssetKeys"/> key, at any depth) that is not
    /// already a content name replaced by <paramref name="store"/>'s answer; the same bytes when there is none to replace.
    /// </summary>
    public static byte[] Rewrite(byte[] rigFile, string what, Func<string, string> store)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(rigFile, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }); }
        catch (JsonException e) { throw new InvalidDataException($"{what} is not valid JSON: {e.Message}"); }
        bool changed = false;
        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, value) in o.ToList())
                    {
                        if (Rigs.AssetKeys.Contains(key) && value is JsonValue v && v.TryGetValue<string>(out var reference))
                        {
                            if (Identifiers.IsHashName(reference)) continue;
                            o[key] = store(reference);
                            changed = true;
                        }
                        else Walk(value);
                    }
                    break;
                case JsonArray a:
                    foreach (var item in a) Walk(item);
                    break;
            }
        }
        Walk(root);
        return changed ? Encoding.UTF8.GetBytes(root!.ToJsonString(new JsonSerializerOptions { WriteIndented = true })) : rigFile;
    }

    /// <summary>
    /// A reader of drawings stored beside a rig file: a reference is a path relative to <paramref name="directory"/>
    /// (forward slashes; no absolute paths, no <c>..</c>, so a rig folder stays self-contained). <c>sha256/HEX</c> names a
    /// vault asset, which only a reader over the vault resolves; here it is a missing asset.
    /// </summary>
    public static Func<string, byte[]> FromDirectory(string directory, long maxBytes = Rigging.RigFile.MaxImageBytes)
    {
        var root = Path.GetFullPath(directory);
        return reference =>
        {
            if (reference.StartsWith("sha256/", StringComparison.Ordinal))
                throw new KeyNotFoundException($"'{reference}' names a vault asset; only a rig read from the vault resolves it");
            if (Path.IsPathRooted(reference) || reference.Split('/', '\\').Contains(".."))
                throw new ArgumentException($"'{reference}' must be a path relative to the rig file, without '..'");
            var full = Path.GetFullPath(Path.Combine(root, reference));
            if (!File.Exists(full)) throw new FileNotFoundException($"no file '{reference}' beside the rig file");
            if (new FileInfo(full).Length > maxBytes) throw new IOException($"'{reference}' is larger than {maxBytes >> 20} MiB");
            return File.ReadAllBytes(full);
        };
    }
}
