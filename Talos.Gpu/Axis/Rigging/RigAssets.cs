namespace Talos.Gpu.Axis.Rigging;

/// <summary>Resolving a rig file's drawing references (<c>image</c>) to bytes.</summary>
public static class RigAssets
{
    /// <summary>
    /// A reader of drawings stored beside a rig file: a reference is a path relative to <paramref name="directory"/>
    /// (forward slashes; no absolute paths, no <c>..</c>, so a rig folder stays self-contained). <c>sha256/HEX</c> names a
    /// vault asset, which only a reader over the vault resolves; here it is a missing asset.
    /// </summary>
    public static Func<string, byte[]> FromDirectory(string directory, long maxBytes = RigFile.MaxImageBytes)
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
