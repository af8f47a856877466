using System.CommandLine;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Talos.Cli.Operator;
using Talos.Cli.Vault;
using Talos.Messages;
using Talos.Vault;
using Talos.Tests.Actors;
using Talos.Tests.Operator;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Cli;

/// <summary>`talos vault gc --dry-run` and `talos vault du` on a work dir (its vault opened directly) and on a farm (the seed's API).</summary>
[Collection(ClusterCollection.Name)]
public sealed class VaultCommandTests : IDisposable
{
    readonly string _work = Repo.TempDir("vault-cli");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }

    async Task<(int Code, string Out, string Err)> Talos(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var root = new RootCommand { VaultCommands.Create(new OperatorConsole(output, error, terminal: false)) };
        int code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Gc_dry_run_and_du_report_a_work_dirs_vault_and_change_nothing()
    {
        string held, orphan;
        using (var vault = BlobVault.Open(Path.Combine(_work, "vault")))
        {
            var frame = vault.Put(Encoding.UTF8.GetBytes("frame"), "final-frame", new VaultRef("film1", "film1--s1", 1, Stages.Anima));
            held = vault.Put(Encoding.UTF8.GetBytes($"{{\"frames\":[\"{frame}\"]}}"), "manifest", new VaultRef("film1", "film1--s1", 1, Stages.Anima));
            orphan = vault.Put(Encoding.UTF8.GetBytes("nobody's"), "blob");
        }

        var (code, output, err) = await Talos("vault", "gc", "--work-dir", _work, "--dry-run", "--grace", "0");
        Assert.True(code == 0, err);
        Assert.Matches(@"before\s*\W+3\b", output);
        Assert.Matches(@"would sweep\s*\W+1\b", output);
        Assert.Contains("dry run: nothing was deleted", output);
        using (var vault = BlobVault.Open(Path.Combine(_work, "vault"))) Assert.True(vault.Contains(orphan) && vault.Contains(held));

        (code, output, err) = await Talos("vault", "du", "--work-dir", _work, "--json");
        Assert.True(code == 0, err);
        var du = JsonDocument.Parse(output).RootElement;
        var row = Assert.Single(du.GetProperty("rows").EnumerateArray());
        Assert.Equal(("film1", "ANIMA", 2), (row.GetProperty("production").GetString(), row.GetProperty("stage").GetString(), row.GetProperty("blobs").GetInt32()));
        Assert.Equal(1, du.GetProperty("unheldBlobs").GetInt32());
        Assert.Equal(3, du.GetProperty("blobs").GetInt32());

        (code, output, err) = await Talos("vault", "du", "--work-dir", _work);
        Assert.True(code == 0, err);
        Assert.Matches(@"film1\s*\W+ANIMA\s*\W+2\b", output);
        Assert.Contains("the total counts each blob once", output);

        (code, output, err) = await Talos("vault", "gc", "--work-dir", _work, "--grace", "0");
        Assert.True(code == 0, err);
        Assert.Matches(@"swept\s*\W+1\b", output);
        using (var vault = BlobVault.Open(Path.Combine(_work, "vault"))) Assert.False(vault.Contains(orphan));
    }

    [Fact]
    public async Task Bad_input_gets_one_clear_error()
    {
        var (code, _, err) = await Talos("vault", "du", "--work-dir", Path.Combine(_work, "nothing-here"));
        Assert.Equal(2, code);
        Assert.Contains("no vault in", err);

        Directory.CreateDirectory(Path.Combine(_work, "vault"));
        BlobVault.Open(Path.Combine(_work, "vault")).Dispose();
        (code, _, err) = await Talos("vault", "gc", "--work-dir", _work, "--keep-revisions", "0");
        Assert.Equal(2, code);
        Assert.Contains("keep-revisions must be at least 1", err);
    }

    [Fact]
    public async Task On_a_farm_gc_and_du_go_through_the_seeds_operator_routes()
    {
        await using var farm = await OperatorFarm.StartAsync("vault-farm");
        var vault = farm.Seed.Node.Vault;
        var frame = vault.Put(Encoding.UTF8.GetBytes("farm frame"), "final-frame", new VaultRef("f", "f--s1", 1, Stages.Anima));
        var orphan = vault.Put(Encoding.UTF8.GetBytes("farm orphan"), "blob");
        string url = farm.Seed.Url, token = OperatorFarm.OperatorToken;

        var (code, output, err) = await Talos("vault", "du", "--farm", url, "--token", token, "--json");
        Assert.True(code == 0, err);
        var du = JsonDocument.Parse(output).RootElement;
        Assert.Equal("f", Assert.Single(du.GetProperty("rows").EnumerateArray()).GetProperty("production").GetString());

        (code, output, err) = await Talos("vault", "gc", "--farm", url, "--token", token, "--grace", "0", "--json");
        Assert.True(code == 0, err);
        var gc = JsonDocument.Parse(output).RootElement;
        Assert.Equal(1, gc.GetProperty("blobsSwept").GetInt32());
        Assert.False(vault.Contains(orphan));
        Assert.True(vault.Contains(frame));

        (code, _, err) = await Talos("vault", "gc", "--farm", url, "--token", OperatorFarm.PipelineToken);
        Assert.Equal(1, code);
        Assert.Contains("403", err);
        using var http = farm.Client(token);
        var refused = await http.PostAsync("/api/v1/vault/gc", new StringContent("{\"keep\":\"most\"}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(400, (int)refused.StatusCode);
        Assert.Contains("'most'", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
