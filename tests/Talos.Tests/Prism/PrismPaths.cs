namespace Talos.Tests.Prism;

/// <summary>Finds the repository (the directory holding Talos.sln) and the shared corpus beside it.</summary>
static class PrismPaths
{
    /// <summary>Walks up from the test binaries (then the working directory, then this source file, for builds with an
    /// --artifacts-path outside the repository) to the directory that contains Talos.sln.</summary>
    public static string RepoRoot => FindRoot(AppContext.BaseDirectory) ?? FindRoot(Environment.CurrentDirectory) ?? FindRoot(SourceDir())
        ?? throw new InvalidOperationException($"no Talos.sln above {AppContext.BaseDirectory}");

    static string? FindRoot(string? start)
    {
        var dir = start is null ? null : new DirectoryInfo(start);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Talos.sln"))) dir = dir.Parent;
        return dir?.FullName;
    }

    static string? SourceDir([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path);

    public static string Corpus(string name) => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "corpus", "fountain", name));
    public static string Repo(params string[] parts) => Path.Combine([RepoRoot, .. parts]);
    public static string ReadCorpus(string name) => File.ReadAllText(Corpus(name));

    /// <summary>Where tests leave files to look at.</summary>
    public static string OutDir
    {
        get
        {
            var d = Path.Combine(Path.GetTempPath(), "prism");
            Directory.CreateDirectory(d);
            return d;
        }
    }
}
