using System.Text;

namespace Talos.Vault;

/// <summary>
/// How one blob names others: a JSON blob (a chunk manifest, a frame list, a stage's note) names a blob by its hash, a
/// 64-character lowercase hex string. Reuse checks and the collector follow those names; pixels and video are leaves.
/// </summary>
public static class VaultReferences
{
    /// <summary>JSON blobs larger than this are not scanned (no manifest or frame list comes near it).</summary>
    public const int MaxScannedBytes = 64 * 1024 * 1024;

    /// <summary>Whether the file may be JSON that names blobs: it starts with '{' or '[' and is not huge.</summary>
    public static bool MayHoldReferences(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            if (fs.Length == 0 || fs.Length > MaxScannedBytes) return false;
            return OpensJson(fs.ReadByte());
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>Whether a blob's bytes (an inline blob's) may be JSON that names blobs: the same rule as for a file.</summary>
    public static bool MayHoldReferences(ReadOnlySpan<byte> bytes) =>
        bytes.Length is > 0 and <= MaxScannedBytes && OpensJson(bytes[0]);

    static bool OpensJson(int first) => first is '{' or '[';

    /// <summary>Every 64-hex-character run in the bytes (bounded by non-hex characters), each once.</summary>
    public static IReadOnlyCollection<string> HashesIn(ReadOnlySpan<byte> json)
    {
        var found = new HashSet<string>();
        int run = 0;
        for (int i = 0; i <= json.Length; i++)
        {
            bool hex = i < json.Length && json[i] is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f');
            if (hex) { run++; continue; }
            if (run == 64) found.Add(Encoding.ASCII.GetString(json.Slice(i - 64, 64)));
            run = 0;
        }
        return found;
    }
}
