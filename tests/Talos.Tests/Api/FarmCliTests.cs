using System.Text.Json;
using Talos.Gpu.Processes;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Api;

/// <summary>
/// <c>talos farm up --nodes 3</c> starts a seed and three nodes as processes with a private PostgreSQL and writes
/// farm.json; <c>talos render … --farm DIR</c> renders a scene of the corpus screenplay through the API; <c>talos farm
/// down</c> stops every process. Small sizes (one scene, 160×90, 8 fps, 3 s).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FarmCliTests : IAsyncLifetime
{
    readonly string _dir = Repo.TempDir("farmcli");
    static string Cli => Path.Combine(Repo.Root, "Talos.Cli", "bin", "Release", "net10.0", "talos.dll");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(_dir, "farm", "farm.json"))) await Talos("farm", "down", "--work-dir", Path.Combine(_dir, "farm"));
        try { Directory.Delete(_dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    static async Task<(int Code, string Output)> Talos(params string[] args)
    {
        var r = await ProcessRunner.RunAsync("dotnet", [Cli, .. args], env: new Dictionary<string, string?> { ["COLUMNS"] = "200" },
            timeout: TimeSpan.FromMinutes(5), check: false);
        return (r.ExitCode, r.Output + r.Error);
    }

    static bool Alive(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Contains("Talos.Cluster."); } catch (IOException) { return false; }
    }

    [Fact]
    public async Task Farm_up_render_on_the_farm_and_farm_down()
    {
        if (!Directory.Exists("/usr/lib/postgresql")) Assert.Skip("PostgreSQL is not installed on this machine");
        Assert.True(File.Exists(Cli), "build the solution in Release first (./test.sh does)");
        var farm = Path.Combine(_dir, "farm");

        var (code, output) = await Talos("farm", "up", "--nodes", "3", "--work-dir", farm, "--chunk-slots", "1");
        Assert.True(code == 0, output);
        using (var doc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(farm, "farm.json"))))
        {
            var root = doc.RootElement;
            Assert.StartsWith("http://127.0.0.1:", root.GetProperty("url").GetString());
            Assert.Equal(64, root.GetProperty("token").GetString()!.Length);
            var processes = root.GetProperty("processes").EnumerateArray().ToList();
            Assert.Equal(["seed", "node", "node", "node"], processes.Select(p => p.GetProperty("role").GetString()));
            Assert.All(processes, p => Assert.StartsWith("akka.tcp://talos@127.0.0.1:", p.GetProperty("address").GetString()));
            Assert.All(processes, p => Assert.True(Alive(p.GetProperty("pid").GetInt32())));
        }
        var pids = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(farm, "farm.json"))).RootElement
            .GetProperty("processes").EnumerateArray().Select(p => p.GetProperty("pid").GetInt32()).ToList();

        // A second farm in the same directory is refused while this one runs.
        (code, output) = await Talos("farm", "up", "--nodes", "1", "--work-dir", farm);
        Assert.Equal(2, code);
        Assert.Contains("already running", output);

        var film = Path.Combine(_dir, "film.mp4");
        (code, output) = await Talos("render", Repo.Corpus("brick_and_steel.fountain"), "--scenes", "1", "--width", "160", "--height", "90",
            "--fps", "8", "--max-seconds", "3", "--farm", farm, "--out", film);
        Assert.True(code == 0, output);
        Assert.Contains("on the farm", output);
        var probe = await global::Talos.Gpu.Cuttura.MediaProbe.ProbeAsync(film);
        Assert.Equal((160, 90), (probe.Width, probe.Height));
        Assert.Equal(24, probe.FrameCount);

        // A wrong token is refused by the API with its reason: exit 1, as every farm command answers a refused token.
        var url = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(farm, "farm.json"))).RootElement.GetProperty("url").GetString()!;
        (code, output) = await Talos("render", Repo.Corpus("brick_and_steel.fountain"), "--scenes", "1", "--width", "160", "--height", "90",
            "--fps", "8", "--max-seconds", "1", "--farm", url, "--token", "wrong", "--out", Path.Combine(_dir, "x.mp4"));
        Assert.Equal(1, code);
        Assert.Contains("refused the token (401)", output);

        (code, output) = await Talos("farm", "down", "--work-dir", farm);
        Assert.True(code == 0, output);
        Assert.False(File.Exists(Path.Combine(farm, "farm.json")));
        Assert.All(pids, pid => Assert.False(Alive(pid), $"pid {pid} still runs"));
    }

    /// <summary>
    /// As root, in a directory user postgres cannot enter (a `mktemp -d` one: mode 0700), `farm up` keeps the journal
    /// database under /var/lib/postgresql/talos-farms (initdb once failed with "could not access directory … Permission
    /// denied"), and `farm down` then `farm up` again resume on the same database.
    /// </summary>
    [Fact]
    public async Task Farm_up_in_a_private_directory_as_root_keeps_its_database_where_postgres_can_reach_it()
    {
        if (!Directory.Exists("/usr/lib/postgresql")) Assert.Skip("PostgreSQL is not installed on this machine");
        if (!Environment.IsPrivilegedProcess) Assert.Skip("only root runs the farm's PostgreSQL as another user (postgres)");
        Assert.True(File.Exists(Cli), "build the solution in Release first (./test.sh does)");
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // as mktemp -d makes it
        var farm = Path.Combine(_dir, "farm");
        var ct = TestContext.Current.CancellationToken;
        string? outside = null;
        try
        {
            async Task<(string DataDir, int Port)> Up()
            {
                var (code, output) = await Talos("farm", "up", "--nodes", "1", "--work-dir", farm, "--chunk-slots", "1");
                Assert.True(code == 0, output);
                var db = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(farm, "farm.json"), ct)).RootElement.GetProperty("database");
                return (db.GetProperty("dataDir").GetString()!, db.GetProperty("port").GetInt32());
            }
            async Task<int> Marks(int port, bool add)
            {
                await using var db = new Npgsql.NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false");
                await db.OpenAsync(ct);
                await using var cmd = db.CreateCommand();
                cmd.CommandText = (add ? "CREATE TABLE IF NOT EXISTS talos_mark (n int); INSERT INTO talos_mark VALUES (1); " : "") + "SELECT count(*) FROM talos_mark";
                return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct));
            }

            var (data, port) = await Up();
            outside = Path.GetDirectoryName(data)!;
            Assert.StartsWith("/var/lib/postgresql/talos-farms/farm-", data);
            Assert.Equal(outside, (await File.ReadAllTextAsync(Path.Combine(farm, "postgres", "location"), ct)).Trim());
            Assert.Equal(1, await Marks(port, add: true));
            var (code, output) = await Talos("farm", "down", "--work-dir", farm);
            Assert.True(code == 0, output);
            Assert.Contains($"journal stays in {data}, vault in {farm}", string.Join(' ', output.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))); // wrapped at 80

            var (again, port2) = await Up();
            Assert.Equal(data, again);
            Assert.Equal(1, await Marks(port2, add: false));
        }
        finally
        {
            if (File.Exists(Path.Combine(farm, "farm.json"))) await Talos("farm", "down", "--work-dir", farm);
            if (outside is not null) Directory.Delete(outside, true);
        }
    }
}
