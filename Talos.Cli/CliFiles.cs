using System.IO.Compression;
using System.Text;

namespace Talos.Cli;

/// <summary>
/// A command's files: inputs read with one clear line when missing or unreadable; outputs written atomically (a temp
/// file beside the target, then renamed over it) into a directory created as needed, so a failed or interrupted
/// command never leaves half a file under the output's name.
/// </summary>
public static class CliFiles
{
    public static byte[] Read(string path, long maxBytes = long.MaxValue)
    {
        if (Directory.Exists(path)) throw new UsageException($"'{path}' is a directory, not a file");
        if (!File.Exists(path)) throw new UsageException($"no such file '{path}'");
        try
        {
            if (new FileInfo(path).Length > maxBytes) throw new UsageException($"'{path}' is larger than {maxBytes >> 20} MB");
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UsageException($"cannot read '{path}': {e.Message}"); }
    }

    /// <summary>A text input (UTF-8, a byte order mark honoured).</summary>
    public static string ReadText(string path, long maxBytes = long.MaxValue) =>
        new StreamReader(new MemoryStream(Read(path, maxBytes)), Encoding.UTF8, detectEncodingFromByteOrderMarks: true).ReadToEnd();

    public static void Write(string path, byte[] bytes, UnixFileMode? mode = null) => Commit(path, tmp => File.WriteAllBytes(tmp, bytes), mode);

    public static void Write(string path, string text, UnixFileMode? mode = null) => Write(path, new UTF8Encoding(false).GetBytes(text), mode);

    public static async Task WriteAsync(string path, Stream content, CancellationToken ct)
    {
        var (full, tmp) = Prepare(path);
        try
        {
            await using (var file = File.Create(tmp)) await content.CopyToAsync(file, ct);
            File.Move(tmp, full, overwrite: true);
        }
        catch { File.Delete(tmp); throw; }
    }

    static void Commit(string path, Action<string> writeTemp, UnixFileMode? mode)
    {
        var (full, tmp) = Prepare(path);
        try
        {
            writeTemp(tmp);
            if (mode is { } m && !OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, m);
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(tmp);
            throw new UsageException($"cannot write '{path}': {e.Message}");
        }
    }

    /// <summary>The target's full path and a temp path beside it, its directory created.</summary>
    static (string Full, string Tmp) Prepare(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new UsageException($"'{path}' is a directory; name a file");
        try { Directory.CreateDirectory(Path.GetDirectoryName(full)!); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UsageException($"cannot create the directory of '{path}': {e.Message}"); }
        return (full, full + ".part");
    }

    /// <summary>
    /// Unpacks a zip (a png16 film's PNG sequence) into directory <paramref name="dir"/>, replacing it whole: entries go
    /// into a temp directory beside it that is then renamed. An entry whose name is absolute, has a drive, a backslash,
    /// a <c>.</c> or <c>..</c> or empty segment, or repeats an earlier one is refused (InvalidDataException) and nothing is written.
    /// </summary>
    public static async Task ExtractZipAsync(Stream zip, string dir, CancellationToken ct)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        if (File.Exists(full)) throw new UsageException($"'{dir}' is a file; name a directory for the PNG sequence");
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = full + ".part";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        FileStream? spool = null; // ZipArchive seeks: a network stream is spooled to disk first
        try
        {
            if (!zip.CanSeek)
            {
                spool = new FileStream(full + ".zip.part", FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
                await zip.CopyToAsync(spool, ct);
                spool.Position = 0;
            }
            using (var archive = new ZipArchive(spool ?? zip, ZipArchiveMode.Read, leaveOpen: true))
            {
                Directory.CreateDirectory(tmp);
                foreach (var entry in archive.Entries)
                {
                    ct.ThrowIfCancellationRequested();
                    var target = EntryPath(tmp, entry.FullName);
                    if (entry.FullName.EndsWith('/')) { Directory.CreateDirectory(target); continue; }
                    if (File.Exists(target) || Directory.Exists(target)) throw new InvalidDataException($"zip entry '{entry.FullName}' comes twice");
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    entry.ExtractToFile(target);
                }
            }
            if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
            Directory.Move(tmp, full);
        }
        catch
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            throw;
        }
        finally { spool?.Dispose(); }
    }

    /// <summary>Where a zip entry lands under <paramref name="root"/>; a name that could land anywhere else is refused.</summary>
    static string EntryPath(string root, string name)
    {
        var parts = name.TrimEnd('/').Split('/');
        if (name.Length == 0 || name[0] == '/' || name.Contains('\\') || name.Contains(':') || name.Contains('\0') || parts.Any(p => p is "" or "." or ".."))
            throw new InvalidDataException($"zip entry '{name}' is not a plain relative path: refused");
        var target = Path.GetFullPath(Path.Combine([root, .. parts]));
        if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidDataException($"zip entry '{name}' would land outside '{root}': refused");
        return target;
    }
}
