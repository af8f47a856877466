using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Talos.Actors.Operations;
using Talos.Cli.Farm;
using Talos.Messages.Api;
using Talos.Messages.Queries;
using Talos.Messages.Specs;

namespace Talos.Cli.Operator;

/// <summary>Where an operator command writes: tables for people through Spectre.Console, JSON and errors as plain text.</summary>
public sealed class OperatorConsole
{
    public OperatorConsole(TextWriter output, TextWriter error, bool terminal)
    {
        Out = output; Err = error;
        Ansi = terminal ? AnsiConsole.Console : AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
        if (!terminal) Ansi.Profile.Width = 200;
    }

    public TextWriter Out { get; }
    public TextWriter Err { get; }
    public IAnsiConsole Ansi { get; }

    public static OperatorConsole Standard() => new(Console.Out, Console.Error, !Console.IsOutputRedirected);
}

/// <summary>
/// The operator palette (the verbs an Akka.NET operator knows from pbm): <c>cluster show|leave|down</c>,
/// <c>sharding regions|stats</c>, <c>node drain</c>, <c>queue</c>, <c>shot list|show|history|retry|cancel|pause|resume|priority</c>,
/// <c>logs</c>. Each talks to a seed's HTTP API (--url/--token, --farm DIR, or TALOS_URL/TALOS_TOKEN); tables for
/// people, <c>--json</c> for scripts (the API's answer, indented; shapes in README "Operator palette").
/// </summary>
public static class OperatorCommands
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    sealed class Common
    {
        public readonly Option<string?> Url = new("--url") { Description = "the seed's API, e.g. http://127.0.0.1:8080 (or TALOS_URL)" };
        public readonly Option<string?> Token = new("--token") { Description = "an API token, scope operator (or TALOS_TOKEN)" };
        public readonly Option<string?> Farm = new("--farm") { Description = "a farm: its work dir (reads DIR/farm.json: url, token) or its API URL" };
        public readonly Option<bool> Json = new("--json") { Description = "print JSON for scripts instead of a table" };

        public void AddTo(Command c) { c.Options.Add(Url); c.Options.Add(Token); c.Options.Add(Farm); c.Options.Add(Json); }
        public FarmTarget Target(ParseResult p) => FarmTarget.Resolve(p.GetValue(Url), p.GetValue(Token), p.GetValue(Farm));
    }

    /// <summary>Adds every operator verb to <paramref name="root"/>.</summary>
    public static void AddTo(RootCommand root, OperatorConsole io)
    {
        foreach (var c in Create(io)) root.Subcommands.Add(c);
    }

    /// <summary>Runs one operator command line (tests call this with their own writers).</summary>
    public static async Task<int> RunAsync(string[] args, OperatorConsole io, CancellationToken ct = default)
    {
        var root = new RootCommand("talos operator palette");
        AddTo(root, io);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) await io.Err.WriteLineAsync("error: " + e.Message);
            return CliErrors.BadInput;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = io.Out, Error = io.Err }, ct);
    }

    public static IEnumerable<Command> Create(OperatorConsole io)
    {
        var common = new Common();

        Command Verb(string name, string description, Func<ParseResult, FarmClient, CancellationToken, Task<int>> run, params Symbol[] extra)
        {
            var c = new Command(name, description);
            foreach (var s in extra) { if (s is Argument a) c.Arguments.Add(a); else if (s is Option o) c.Options.Add(o); }
            common.AddTo(c);
            c.SetAction((p, ct) => CliErrors.Guard(async () =>
            {
                using var client = new FarmClient(common.Target(p));
                return await run(p, client, ct);
            }, io.Err, "interrupted"));
            return c;
        }
        bool Json(ParseResult p) => p.GetValue(common.Json);

        // ---- cluster ----
        var address = new Argument<string>("ADDR") { Description = "a member: akka.tcp://talos@host:port or host:port" };
        var cluster = new Command("cluster", "Cluster members: show, leave, down");
        cluster.Subcommands.Add(Verb("show", "Members with roles, status and load", async (p, c, ct) =>
        {
            var info = await c.GetAsync("cluster", ct);
            if (Json(p)) return PrintJson(io, info);
            var t = Table("address", "roles", "status", "reachable", "shots", "chunks busy/slots", "cpu %", "memory MB", "uptime s");
            foreach (var m in c.Read<ClusterInfo>(info, "cluster").Members)
            {
                string L(Func<NodeLoad, string> show) => m.Load is { } load ? show(load) : "?";
                t.AddRow(Esc(m.Address + (m.Leader ? " (leader)" : "") + (m.Self ? " (this seed)" : "")), Esc(string.Join(",", m.Roles)), Esc(m.Status),
                    m.Reachable ? "yes" : "NO",
                    L(l => l.Shots < 0 ? "?" : l.Shots.ToString(CultureInfo.InvariantCulture)),
                    L(l => $"{l.ChunksBusy}/{l.ChunkSlots}"),
                    L(l => l.CpuPercent.ToString("0", CultureInfo.InvariantCulture)),
                    L(l => (l.WorkingSetBytes >> 20).ToString(CultureInfo.InvariantCulture)),
                    L(l => l.UptimeSeconds.ToString("0", CultureInfo.InvariantCulture)));
            }
            io.Ansi.Write(t);
            return 0;
        }));
        cluster.Subcommands.Add(Verb("leave", "Ask a member to leave the cluster gracefully (its shards hand off)", async (p, c, ct) =>
            Done(io, p, common, c, await c.PostAsync("cluster/leave", new { address = p.GetValue(address) }, ct), member: true), address));
        cluster.Subcommands.Add(Verb("down", "Mark an unreachable (or stuck) member down: its shards restart elsewhere", async (p, c, ct) =>
            Done(io, p, common, c, await c.PostAsync("cluster/down", new { address = p.GetValue(address) }, ct), member: true), address));

        // ---- sharding ----
        var sharding = new Command("sharding", "Shot shard regions and statistics");
        sharding.Subcommands.Add(Verb("regions", "Each render node's shot region: its shards and the shots they host", async (p, c, ct) =>
        {
            var r = await c.GetAsync("sharding/regions", ct);
            if (Json(p)) return PrintJson(io, r);
            var t = Table("region (member)", "shard", "shots");
            foreach (var region in r.GetProperty("regions").EnumerateArray())
            {
                var shards = region.GetProperty("shards").EnumerateArray().ToList();
                if (region.GetProperty("error").GetString() is { } error) { t.AddRow(Esc(S(region, "address")), "-", Esc("(" + error + ")")); continue; }
                if (shards.Count == 0) t.AddRow(Esc(S(region, "address")), "-", "(none)");
                foreach (var s in shards)
                    t.AddRow(Esc(S(region, "address")), Esc(S(s, "id")), Esc(string.Join(", ", s.GetProperty("entities").EnumerateArray().Select(e => e.GetString()))));
            }
            io.Ansi.Write(t);
            return 0;
        }));
        sharding.Subcommands.Add(Verb("stats", "Shard and shot counts per region (GetClusterShardingStats)", async (p, c, ct) =>
        {
            var r = await c.GetAsync("sharding/stats", ct);
            if (Json(p)) return PrintJson(io, r);
            var stats = c.Read<ShardingStats>(r, "sharding/stats");
            var t = Table("region (member)", "shards", "shots", "failed shards");
            foreach (var region in stats.Regions)
                t.AddRow(Esc(region.Address), N(region.Shards), N(region.Entities), Esc(string.Join(",", region.FailedShards)));
            t.AddRow("[bold]total[/]", N(stats.Shards), N(stats.Entities), "");
            io.Ansi.Write(t);
            return 0;
        }));

        // ---- node ----
        var timeout = new Option<int>("--timeout") { Description = "seconds to wait for the member to be removed", DefaultValueFactory = _ => 120 };
        var node = new Command("node", "Render nodes");
        node.Subcommands.Add(Verb("drain", "Gracefully remove a node: its shards hand off, in-flight chunks finish or are rendered elsewhere", async (p, c, ct) =>
        {
            var r = await c.PostAsync("nodes/drain", new { address = p.GetValue(address), timeoutSeconds = p.GetValue(timeout) }, ct);
            if (Json(p)) return PrintJson(io, r);
            var d = c.Read<DrainResult>(r, "nodes/drain");
            io.Out.WriteLine(d.Removed
                ? $"drained {d.Address}: removed after {d.Seconds.ToString(CultureInfo.InvariantCulture)} s; its {N(d.ShotsBefore)} shot(s) moved to the other nodes"
                : $"{d.Address} is still {d.Status} after {d.Seconds.ToString(CultureInfo.InvariantCulture)} s");
            return d.Removed ? 0 : 1;
        }, address, timeout));

        // ---- queue ----
        var queue = Verb("queue", "Shots waiting or rendering, in Hephaestus's order", async (p, c, ct) =>
        {
            var r = await c.GetAsync("queue", ct);
            if (Json(p)) return PrintJson(io, r);
            var t = Table("#", "shot", "status", "progress", "frames");
            foreach (var s in c.Read<QueueView>(r, "queue").Shots)
                t.AddRow(N(s.Position), Esc(s.Key), Esc(s.Status), Pct(s.Progress), N(s.FrameCount));
            io.Ansi.Write(t);
            return 0;
        });

        // ---- shot ----
        var id = new Argument<string>("ID") { Description = "a shot key (production--id), or a shot id when it is unique" };
        var shot = new Command("shot", "Shots: list, show, history, retry, cancel, pause, resume, priority");
        var production = new Option<string?>("--production") { Description = "only this production's shots" };
        shot.Subcommands.Add(Verb("list", "Every shot with status and progress", async (p, c, ct) =>
        {
            var prod = p.GetValue(production);
            var r = await c.GetAsync("shots" + (prod is null ? "" : "?production=" + Uri.EscapeDataString(prod)), ct);
            if (Json(p)) return PrintJson(io, r);
            var t = Table("shot", "title", "status", "progress", "frames", "revisions");
            foreach (var s in c.Read<ShotList>(r, "shots").Shots)
                t.AddRow(Esc(s.Key), Esc(s.Title), Esc(s.Status + (s.Reason is { Length: > 0 } why ? ": " + why : "")), Pct(s.Progress), N(s.FrameCount), N(s.Revisions));
            io.Ansi.Write(t);
            return 0;
        }, production));
        shot.Subcommands.Add(Verb("show", "One shot with per-stage progress", async (p, c, ct) =>
        {
            var key = await ResolveKey(c, p.GetValue(id)!, ct);
            var r = await c.GetAsync("shots/" + Uri.EscapeDataString(key), ct);
            if (Json(p)) return PrintJson(io, r);
            var s = c.Read<ShotResource>(r, "shots/" + key);
            io.Out.WriteLine($"{s.Key}  {s.Title}  {s.Status}{(s.Reason is { Length: > 0 } why ? ": " + why : "")}  {Pct(s.Progress)}");
            io.Out.WriteLine($"frames {N(s.FrameCount)} at {N(s.Fps)} fps, revisions {N(s.Revisions)}" + (s.VideoHref is { Length: > 0 } v ? $", video {v}" : ""));
            var t = Table("stage", "chunks", "frames");
            foreach (var (stage, st) in s.Stages)
                t.AddRow(Esc(stage), $"{N(st.DoneChunks)}/{N(st.TotalChunks)}", $"{N(st.DoneFrames)}/{N(st.TotalFrames)}");
            io.Ansi.Write(t);
            return 0;
        }, id));
        shot.Subcommands.Add(Verb("history", "The shot's event history from the journal (operator actions with who and when)", async (p, c, ct) =>
        {
            var key = await ResolveKey(c, p.GetValue(id)!, ct);
            var h = await c.GetAsync($"shots/{Uri.EscapeDataString(key)}/history", ct);
            if (Json(p)) return PrintJson(io, h);
            var t = Table("at (UTC)", "source", "event", "details");
            foreach (var e in h.GetProperty("events").EnumerateArray())
                // Events that carry no time of their own (a recorded chunk) have "at": null.
                t.AddRow(e.TryGetProperty("at", out var at) && at.ValueKind == JsonValueKind.String
                        ? at.GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) : "",
                    Esc(S(e, "source")), Esc(S(e, "event")), Esc(Details(e.GetProperty("data"))));
            io.Ansi.Write(t);
            return 0;
        }, id));
        foreach (var (verb, what) in new[] { ("retry", "Retry a failed or cancelled shot from its recorded chunks"), ("cancel", "Cancel a shot"),
                     ("pause", "Pause a rendering shot (in-flight chunks are cancelled, recorded ones kept)"), ("resume", "Resume a paused shot") })
            shot.Subcommands.Add(Verb(verb, what, async (p, c, ct) =>
            {
                var key = await ResolveKey(c, p.GetValue(id)!, ct);
                return Done(io, p, common, c, await c.PostAsync($"shots/{Uri.EscapeDataString(key)}/{verb}", null, ct), member: false);
            }, id));
        var priority = new Argument<int>("N") { Description = "priority, -1000..1000 (higher runs first; default 0)" };
        shot.Subcommands.Add(Verb("priority", "Set a shot's scheduling priority", async (p, c, ct) =>
        {
            var key = await ResolveKey(c, p.GetValue(id)!, ct);
            return Done(io, p, common, c, await c.PostAsync($"shots/{Uri.EscapeDataString(key)}/priority", new { priority = p.GetValue(priority) }, ct), member: false);
        }, id, priority));

        // ---- logs ----
        var logNode = new Option<string?>("--node") { Description = "only this member's lines (akka.tcp://talos@host:port or host:port)" };
        var logShot = new Option<string?>("--shot") { Description = "only lines about this shot (key or unique id)" };
        var follow = new Option<bool>("--follow", "-f") { Description = "keep printing new lines until interrupted" };
        var limit = new Option<int>("--limit") { Description = "at most this many lines per request", DefaultValueFactory = _ => 200 };
        var logs = Verb("logs", "Recent log lines of every node (each keeps a ring buffer)", async (p, c, ct) =>
        {
            var shotKey = p.GetValue(logShot) is { } s ? await ResolveKey(c, s, ct) : null;
            string? cursor = null;
            while (true)
            {
                var query = new List<string> { "limit=" + p.GetValue(limit).ToString(CultureInfo.InvariantCulture) };
                if (p.GetValue(logNode) is { } n) query.Add("node=" + Uri.EscapeDataString(n));
                if (shotKey is not null) query.Add("shot=" + Uri.EscapeDataString(shotKey));
                if (cursor is not null) query.Add("cursor=" + Uri.EscapeDataString(cursor));
                var page = await c.GetAsync("logs?" + string.Join("&", query), ct);
                foreach (var line in page.GetProperty("lines").EnumerateArray())
                    io.Out.WriteLine(Json(p) ? line.GetRawText()
                        : $"{line.GetProperty("at").GetDateTimeOffset().UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} {S(line, "level"),-7} {S(line, "node")} {Local(S(line, "source"), S(line, "node"))}: {S(line, "message")}");
                foreach (var silent in page.GetProperty("silent").EnumerateArray()) io.Err.WriteLine($"warning: {silent.GetString()} did not answer");
                io.Out.Flush();
                if (!p.GetValue(follow)) return 0;
                cursor = S(page, "cursor");
                try { await Task.Delay(1000, ct); }
                catch (OperationCanceledException) { return 0; }
            }
        }, logNode, logShot, follow, limit);

        return [cluster, sharding, node, queue, shot, logs];
    }

    /// <summary>A shot key as given, or the key of the one shot with that id.</summary>
    static async Task<string> ResolveKey(FarmClient c, string idOrKey, CancellationToken ct)
    {
        if (idOrKey.Contains(Identifiers.KeySeparator, StringComparison.Ordinal)) return idOrKey;
        var matches = (await c.GetAsync<ShotList>("shots", ct)).Shots.Where(s => s.Id == idOrKey).Select(s => s.Key).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new FarmException($"no shot with id '{idOrKey}' (see talos shot list)", 2),
            _ => throw new FarmException($"shot id '{idOrKey}' is in several productions: give the key ({string.Join(", ", matches)})", 2),
        };
    }

    /// <summary>An operator verb's answer: a <see cref="MemberActionResult"/> (cluster leave/down) or an <see cref="OperatorResult"/> (shot verbs).</summary>
    static int Done(OperatorConsole io, ParseResult p, Common common, FarmClient c, JsonElement r, bool member)
    {
        if (p.GetValue(common.Json)) return PrintJson(io, r);
        (string Action, string Subject, bool Acknowledged, string Message) done;
        if (member) { var m = c.Read<MemberActionResult>(r, "member action"); done = (m.Action, m.Address, m.Acknowledged, m.Message); }
        else { var o = c.Read<OperatorResult>(r, "shot action"); done = (o.Action, o.Key, o.Acknowledged, o.Message); }
        var (action, subject, ack, message) = done;
        io.Out.WriteLine($"{action} {subject}: {message}{(ack ? "" : " (not acknowledged)")}");
        return 0;
    }

    static int PrintJson(OperatorConsole io, JsonElement e)
    {
        io.Out.WriteLine(JsonSerializer.Serialize(e, Indented));
        return 0;
    }

    internal static Table Table(params string[] columns)
    {
        var t = new Table().Border(TableBorder.Rounded);
        foreach (var c in columns) t.AddColumn(new TableColumn(c));
        return t;
    }

    static string? S(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch { JsonValueKind.String => v.GetString(), JsonValueKind.Null => null, _ => v.GetRawText() } : null;
    internal static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
    internal static string Esc(string? s) => Markup.Escape(s ?? "");
    /// <summary>A log source without its node's address (the line shows the node already).</summary>
    static string? Local(string? source, string? node) => source is not null && node is not null && source.StartsWith(node, StringComparison.Ordinal) ? source[node.Length..] : source;
    static string Pct(double f) => (f * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    static string Details(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object) return "";
        var skip = new HashSet<string> { "shotKey", "at", "spec" };
        return string.Join(", ", data.EnumerateObject().Where(p => !skip.Contains(p.Name) && p.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null))
            .Select(p => $"{p.Name} {(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText())}"));
    }
}
