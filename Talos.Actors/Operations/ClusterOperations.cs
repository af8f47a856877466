using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Talos.Messages.Queries;

namespace Talos.Actors.Operations;

/// <summary>A cluster member as an operator sees it (<c>talos cluster show</c>); <see cref="Load"/> is null when the member did not answer.</summary>
public sealed record MemberInfo(string Address, IReadOnlyList<string> Roles, string Status, bool Reachable, bool Leader, bool Self,
    NodeLoad? Load);

public sealed record ClusterInfo(string Self, string? Leader, IReadOnlyList<MemberInfo> Members);

public sealed record ShardInfo(string Id, IReadOnlyList<string> Entities);
/// <summary>One shard region (one member with role gpu) and the shards and shot entities it hosts; <see cref="Error"/> if it did not answer.</summary>
public sealed record RegionInfo(string Address, IReadOnlyList<ShardInfo> Shards, IReadOnlyList<string> FailedShards, string? Error);

public sealed record RegionStats(string Address, int Shards, int Entities, IReadOnlyDictionary<string, int> EntitiesPerShard, IReadOnlyList<string> FailedShards);
public sealed record ShardingStats(string TypeName, int Shards, int Entities, IReadOnlyList<RegionStats> Regions);

/// <summary>Log lines of many nodes, oldest first, with the cursor (node → last sequence seen) to follow from.</summary>
public sealed record LogPage(IReadOnlyList<NodeLogLine> Lines, IReadOnlyDictionary<string, long> Cursor, IReadOnlyList<string> Silent);
public sealed record NodeLogLine(string Node, long Seq, DateTimeOffset At, string Level, string Source, string? Shot, string Message);

/// <summary>What a graceful leave did: the member's status at the end, the shots it hosted before, how long it took.</summary>
public sealed record DrainResult(string Address, string Status, bool Removed, int ShotsBefore, double Seconds);

/// <summary>An operator request that cannot be carried out (an unknown member, the seed draining itself…): the message says why.</summary>
/// <param name="Unknown">True when the request names something that does not exist (404), false when it is refused (409).</param>
public sealed class OperationException(string message, string field, bool unknown = false) : Exception(message)
{
    public string Field { get; } = field;
    public bool Unknown { get; } = unknown;
}

/// <summary>
/// The operator palette's Akka side as plain functions over the actor system: cluster membership (Akka.Cluster's own
/// state), leave/down, graceful drain, shard regions (<c>GetShardRegionState</c> per region) and cluster-wide shard
/// statistics (<c>GetClusterShardingStats</c>), and every node's log ring (through its <see cref="NodeOpsActor"/>).
/// </summary>
public static class ClusterOperations
{
    public const string ShotTypeName = "shots";
    static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    static IEnumerable<Member> Members(ActorSystem system) => Cluster.Get(system).State.Members;

    public static ICanTell OpsOf(ActorSystem system, Address node) =>
        system.ActorSelection(new RootActorPath(node) / "user" / NodeOpsActor.Name);

    public static async Task<ClusterInfo> ShowAsync(ActorSystem system)
    {
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).ToList();
        var loads = await Task.WhenAll(members.Select(async m =>
        {
            if (unreachable.Contains(m.Address) || m.Status is not (MemberStatus.Up or MemberStatus.Leaving or MemberStatus.WeaklyUp)) return null;
            try { return await ((ActorSelection)OpsOf(system, m.Address)).Ask<NodeLoad>(GetNodeLoad.Instance, AskTimeout); }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { return null; }
        }));
        var list = members.Select((m, i) => new MemberInfo(m.Address.ToString(), m.Roles.OrderBy(r => r, StringComparer.Ordinal).ToArray(),
            m.Status.ToString().ToLowerInvariant(), !unreachable.Contains(m.Address), m.Address == state.Leader, m.Address == cluster.SelfAddress,
            loads[i])).ToArray();
        return new ClusterInfo(cluster.SelfAddress.ToString(), state.Leader?.ToString(), list);
    }

    /// <summary>The member named by its full address (akka.tcp://talos@host:port) or by host:port.</summary>
    public static Member Resolve(ActorSystem system, string? text, string field = "address")
    {
        if (string.IsNullOrWhiteSpace(text)) throw new OperationException("a member address is required (akka.tcp://talos@host:port or host:port)", field);
        var t = text.Trim();
        var found = Members(system).Concat(Cluster.Get(system).State.Unreachable).FirstOrDefault(m =>
            m.Address.ToString() == t || $"{m.Address.Host}:{m.Address.Port}" == t);
        return found ?? throw new OperationException($"no cluster member '{t}' (see talos cluster show)", field, unknown: true);
    }

    public static string Leave(ActorSystem system, string address)
    {
        var m = Resolve(system, address);
        Cluster.Get(system).Leave(m.Address);
        return m.Address.ToString();
    }

    public static string Down(ActorSystem system, string address)
    {
        var m = Resolve(system, address);
        if (m.Address == Cluster.Get(system).SelfAddress)
            throw new OperationException("refusing to down the member that serves this request (the seed); leave it instead", "address");
        Cluster.Get(system).Down(m.Address);
        return m.Address.ToString();
    }

    /// <summary>
    /// Graceful leave of one member and wait until it is removed: sharding hands its shards off (remember-entities
    /// restarts its shots on the other gpu members, which render only unrecorded chunks), its in-flight chunks finish
    /// or are rendered again elsewhere. The serving member cannot drain itself.
    /// </summary>
    public static async Task<DrainResult> DrainAsync(ActorSystem system, string address, TimeSpan timeout, CancellationToken ct = default)
    {
        var m = Resolve(system, address);
        if (m.Address == Cluster.Get(system).SelfAddress)
            throw new OperationException("refusing to drain the member that serves this request (the seed)", "address");
        int before = 0;
        try { before = (await ((ActorSelection)OpsOf(system, m.Address)).Ask<NodeLoad>(GetNodeLoad.Instance, AskTimeout)).Shots; }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Cluster.Get(system).Leave(m.Address);
        string status = MemberStatus.Leaving.ToString();
        while (clock.Elapsed < timeout)
        {
            var now = Members(system).FirstOrDefault(x => x.Address == m.Address);
            if (now is null) return new DrainResult(m.Address.ToString(), "removed", true, before, Math.Round(clock.Elapsed.TotalSeconds, 1));
            status = now.Status.ToString();
            await Task.Delay(200, ct);
        }
        return new DrainResult(m.Address.ToString(), status.ToLowerInvariant(), false, before, Math.Round(clock.Elapsed.TotalSeconds, 1));
    }

    /// <summary>Each gpu member's shot region, asked with <c>GetShardRegionState</c>.</summary>
    public static async Task<IReadOnlyList<RegionInfo>> RegionsAsync(ActorSystem system)
    {
        var gpu = Members(system).Where(m => m.HasRole("gpu") && m.Status is MemberStatus.Up or MemberStatus.Leaving)
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).ToList();
        return await Task.WhenAll(gpu.Select(async m =>
        {
            var region = system.ActorSelection(new RootActorPath(m.Address) / "system" / "sharding" / ShotTypeName);
            try
            {
                var s = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, AskTimeout);
                return new RegionInfo(m.Address.ToString(),
                    s.Shards.OrderBy(x => x.ShardId, StringComparer.Ordinal)
                        .Select(x => new ShardInfo(x.ShardId, x.EntityIds.OrderBy(e => e, StringComparer.Ordinal).ToArray())).ToArray(),
                    s.Failed.OrderBy(x => x, StringComparer.Ordinal).ToArray(), null);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            { return new RegionInfo(m.Address.ToString(), [], [], "the region did not answer in time"); }
        }));
    }

    /// <summary>Cluster-wide shard statistics from the shard coordinator (<c>GetClusterShardingStats</c> through this node's region or proxy).</summary>
    public static async Task<ShardingStats> StatsAsync(IActorRef region)
    {
        var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(AskTimeout), AskTimeout + TimeSpan.FromSeconds(2));
        var regions = stats.Regions.OrderBy(r => r.Key.ToString(), StringComparer.Ordinal).Select(r => new RegionStats(r.Key.ToString(),
            r.Value.Stats.Count, r.Value.Stats.Values.Sum(),
            new SortedDictionary<string, int>(r.Value.Stats.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal),
            r.Value.Failed.OrderBy(x => x, StringComparer.Ordinal).ToArray())).ToArray();
        return new ShardingStats(ShotTypeName, regions.Sum(r => r.Shards), regions.Sum(r => r.Entities), regions);
    }

    /// <summary>
    /// Log lines from every reachable member (or the one named), newer than <paramref name="cursor"/>'s entry for that
    /// node, of one shot if given; merged oldest first. Members that did not answer are listed as silent.
    /// </summary>
    public static async Task<LogPage> LogsAsync(ActorSystem system, string? node, string? shot, IReadOnlyDictionary<string, long>? cursor, int max)
    {
        var targets = node is null
            ? Members(system).Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.WeaklyUp or MemberStatus.Joining).ToList()
            : [Resolve(system, node, "node")];
        var answers = await Task.WhenAll(targets.Select(async m =>
        {
            long after = cursor?.GetValueOrDefault(m.Address.ToString()) ?? 0;
            try { return (m.Address, Lines: (LogLines?)await ((ActorSelection)OpsOf(system, m.Address)).Ask<LogLines>(new QueryLogs(after, shot, max), AskTimeout)); }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { return (m.Address, Lines: (LogLines?)null); }
        }));
        var next = new SortedDictionary<string, long>(StringComparer.Ordinal);
        if (cursor is not null) foreach (var (k, v) in cursor) next[k] = v;
        var lines = new List<NodeLogLine>();
        foreach (var (address, page) in answers)
        {
            if (page is null) continue;
            next[page.Node] = page.LastSeq;
            lines.AddRange(page.Lines.Select(l => new NodeLogLine(page.Node, l.Seq, l.At, l.Level, l.Source, l.Shot, l.Message)));
        }
        var merged = lines.OrderBy(l => l.At).ThenBy(l => l.Node, StringComparer.Ordinal).ThenBy(l => l.Seq).ToList();
        if (merged.Count > max) merged = merged.GetRange(merged.Count - max, max);
        var silent = answers.Where(a => a.Lines is null).Select(a => a.Address.ToString()).OrderBy(x => x, StringComparer.Ordinal).ToArray();
        return new LogPage(merged, next, silent);
    }
}
