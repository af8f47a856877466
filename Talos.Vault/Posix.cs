using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Talos.Vault;

/// <summary>The two file calls .NET does not offer, for the vault's batched writes; elsewhere they report "not done".</summary>
static partial class Posix
{
    const int SyncFileRangeWrite = 2; // SYNC_FILE_RANGE_WRITE: start writing the dirty pages out, do not wait

    /// <summary>
    /// Starts the writeback of a file's dirty pages without waiting (Linux <c>sync_file_range</c>). Only a hint: it makes
    /// nothing durable (no metadata, no cache flush) — the fsync that follows does; started for a batch's files together,
    /// their fsyncs then cost about half the CPU (docs/BENCHMARKS.md, vault10).
    /// </summary>
    public static void StartWriteback(SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux()) return;
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            _ = sync_file_range((int)file.DangerousGetHandle(), 0, 0, SyncFileRangeWrite);
        }
        finally
        {
            if (added) file.DangerousRelease();
        }
    }

    /// <summary>A second name for an existing file (<c>link</c>); false when it could not be made (or off Linux and macOS).</summary>
    public static bool TryLink(string existing, string newName) =>
        (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) && link(existing, newName) == 0;

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int sync_file_range(int fd, long offset, long nbytes, uint flags);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string oldpath, string newpath);
}
