using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Talos.Actors.Hosting;
using Talos.Cli.Farm;
using Talos.Cli.Operator;
using static Talos.Cli.Operator.OperatorCommands;
using Talos.Messages.Api;
using Talos.Vault;

namespace Talos.Cli.Vault;

/// <summary>
/// <c>talos vault gc [--work-dir DIR | --farm DIR|URL] [--keep-revisions N] [--keep all|final|none] [--grace SECONDS] [--dry-run]</c>
/// sweeps what no kept production or revision holds; <c>talos vault du</c> shows bytes per production and stage. On a work
/// dir they open DIR/vault directly (no actor system); on a farm they ask the seed (<c>/api/v1/vault/gc|du</c>, scope operator).
/// </summary>
public static class VaultCommands
{
    static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    sealed class Where
    {
        public readonly Option<string> WorkDir = new("--work-dir") { Description = "the work dir of `talos render` (its vault is DIR/vault)", DefaultValueFactory = _ => ".talos" };
        public readonly Option<string?> Farm = new("--farm") { Description = "a running farm: its directory (with farm.json) or its API URL" };
        public readonly Option<string?> Token = new("--token") { Description = "API token for --farm URL, scope operator (default: TALOS_TOKEN, or farm.json's)" };
        public readonly Option<bool> Json = new("--json") { Description = "print JSON for scripts instead of a table" };

        public void AddTo(Command c) { c.Options.Add(WorkDir); c.Options.Add(Farm); c.Options.Add(Token); c.Options.Add(Json); }
    }

    public static Command Create(OperatorConsole io)
    {
        var vault = new Command("vault", "The vault: sweep what no production holds (gc), bytes per production and stage (du)");
        vault.Subcommands.Add(Gc(io));
        vault.Subcommands.Add(Du(io));
        return vault;
    }

    static Command Gc(OperatorConsole io)
    {
        var where = new Where();
        var keepRevisions = new Option<int>("--keep-revisions") { Description = "per shot, keep its newest N spec revisions; per production its newest N films", DefaultValueFactory = _ => VaultGcOptions.DefaultKeepRevisions };
        var keep = new Option<string?>("--keep") { Description = $"of delivered revisions keep all, final (frames, shot clip, report) or none (the film only); default {VaultKeep.Variable}, else {VaultGcOptions.DefaultKeep}" };
        keep.AcceptOnlyFromAmong([.. VaultKeep.Names]);
        var grace = new Option<double>("--grace") { Description = "seconds a blob nothing ever referenced is spared after its last write", DefaultValueFactory = _ => VaultGcOptions.DefaultGrace.TotalSeconds };
        var dryRun = new Option<bool>("--dry-run") { Description = "report what would go, delete nothing" };
        var cmd = new Command("gc", "Sweep the blobs no kept production, revision or asset holds") { keepRevisions, keep, grace, dryRun };
        where.AddTo(cmd);
        cmd.SetAction((p, ct) => CliErrors.Guard(async () =>
        {
            var request = new VaultGcRequest(p.GetValue(keepRevisions), p.GetValue(keep), p.GetValue(grace), p.GetValue(dryRun));
            VaultGcReport report;
            string place;
            if (p.GetValue(where.Farm) is { } farm)
            {
                using var client = new FarmClient(FarmTarget.Resolve(null, p.GetValue(where.Token), farm));
                report = client.Read<VaultGcReport>(await client.PostAsync("vault/gc", request, ct), "vault/gc");
                place = client.Target.Url;
            }
            else
            {
                var options = VaultGcOptions.From(request);
                using var v = OpenWorkDir(p.GetValue(where.WorkDir)!, out place);
                report = v.Collect(options);
            }
            if (p.GetValue(where.Json)) { io.Out.WriteLine(JsonSerializer.Serialize(report, Web)); return CliErrors.Ok; }
            PrintGc(io, report, place);
            return CliErrors.Ok;
        }, io.Err));
        return cmd;
    }

    static Command Du(OperatorConsole io)
    {
        var where = new Where();
        var cmd = new Command("du", "Bytes per production and stage");
        where.AddTo(cmd);
        cmd.SetAction((p, ct) => CliErrors.Guard(async () =>
        {
            VaultUsage usage;
            string place;
            if (p.GetValue(where.Farm) is { } farm)
            {
                using var client = new FarmClient(FarmTarget.Resolve(null, p.GetValue(where.Token), farm));
                usage = await client.GetAsync<VaultUsage>("vault/du", ct);
                place = client.Target.Url;
            }
            else
            {
                using var v = OpenWorkDir(p.GetValue(where.WorkDir)!, out place);
                usage = v.Usage();
            }
            if (p.GetValue(where.Json)) { io.Out.WriteLine(JsonSerializer.Serialize(usage, Web)); return CliErrors.Ok; }
            PrintDu(io, usage, place);
            return CliErrors.Ok;
        }, io.Err));
        return cmd;
    }

    static BlobVault OpenWorkDir(string workDir, out string vaultDir)
    {
        var work = Path.GetFullPath(workDir);
        vaultDir = new TalosNodeOptions { WorkDir = work }.VaultPath;
        if (!File.Exists(Path.Combine(vaultDir, "catalogue.db")))
            throw new UsageException($"no vault in {work}: render there first, or name the work dir with --work-dir");
        return BlobVault.Open(vaultDir);
    }

    static void PrintGc(OperatorConsole io, VaultGcReport r, string place)
    {
        var t = Table("", "blobs", "bytes", "MB");
        t.AddRow("before", N(r.BlobsBefore), N(r.BytesBefore), Mb(r.BytesBefore));
        t.AddRow(r.DryRun ? "would sweep" : "swept", N(r.BlobsSwept), N(r.BytesSwept), Mb(r.BytesSwept));
        t.AddRow(r.DryRun ? "would be left" : "after", N(r.BlobsAfter), N(r.BytesAfter), Mb(r.BytesAfter));
        io.Out.WriteLine($"vault {place}: keep-revisions {r.KeepRevisions}, keep {r.Keep}, grace {r.GraceSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s");
        io.Ansi.Write(t);
        if (r.KeptRecent > 0) io.Out.WriteLine($"{N(r.KeptRecent)} unreferenced blob(s) written within the grace period (or during this sweep) were kept");
        if (r.KeptLegacy > 0) io.Out.WriteLine($"{N(r.KeptLegacy)} unreferenced blob(s) from before this vault recorded references were kept");
        if (r.ChunkIndexDropped + r.AssetsDropped > 0)
            io.Out.WriteLine($"{(r.DryRun ? "would drop" : "dropped")} {r.ChunkIndexDropped} chunk index row(s) and {r.AssetsDropped} derived asset(s) with their blobs");
        if (r.DryRun) io.Out.WriteLine("dry run: nothing was deleted");
    }

    static void PrintDu(OperatorConsole io, VaultUsage u, string place)
    {
        var t = Table("production", "stage", "blobs", "bytes", "MB");
        foreach (var row in u.Rows) t.AddRow(Esc(row.Production), Esc(row.Stage), N(row.Blobs), N(row.Bytes), Mb(row.Bytes));
        t.AddRow("(assets)", "", N(u.AssetBlobs), N(u.AssetBytes), Mb(u.AssetBytes));
        t.AddRow("(held by nothing)", "", N(u.UnheldBlobs), N(u.UnheldBytes), Mb(u.UnheldBytes));
        t.AddRow("[bold]total[/]", "", N(u.Blobs), N(u.Bytes), Mb(u.Bytes));
        io.Out.WriteLine($"vault {place}");
        io.Ansi.Write(t);
        io.Out.WriteLine("a blob held by several productions or stages is counted in each; the total counts each blob once");
    }

    static string Mb(long bytes) => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture);
}
