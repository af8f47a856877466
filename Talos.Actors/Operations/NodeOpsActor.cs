using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Talos.Actors.Pipeline;
using Talos.Messages.Queries;

namespace Talos.Actors.Operations;

/// <summary>
/// Each node's operations actor (<c>/user/talos-ops</c>): answers an operator's questions about this node —
/// its recent log lines (<see cref="QueryLogs"/>, from the <see cref="LogRing"/>) and its load (<see cref="GetNodeLoad"/>).
/// One state: it keeps only the CPU clock of the previous load query.
/// </summary>
public sealed class NodeOpsActor : ReceiveActor
{
    public const string Name = "talos-ops";

    TimeSpan _lastCpu;
    DateTime _lastAt;

    public NodeOpsActor(TalosEnvironment env, IActorRef? shotRegion)
    {
        var ring = LogRingExtension.For(Context.System);
        var node = Cluster.Get(Context.System).SelfAddress.ToString();
        using (var p = Process.GetCurrentProcess()) { _lastCpu = p.TotalProcessorTime; _lastAt = p.StartTime.ToUniversalTime(); }

        Receive<QueryLogs>(q => Sender.Tell(new LogLines(node, ring.LastSeq, ring.After(q.AfterSeq, q.Shot, Math.Clamp(q.Max, 1, ring.Capacity)))));

        ReceiveAsync<GetNodeLoad>(async _ =>
        {
            var sender = Sender;
            int shots = 0;
            if (shotRegion is not null)
            {
                try
                {
                    var state = await shotRegion.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(3));
                    shots = state.Shards.Sum(s => s.EntityIds.Count);
                }
                catch (AskTimeoutException) { shots = -1; }
            }
            sender.Tell(Measure(node, shots, env));
        });
    }

    NodeLoad Measure(string node, int shots, TalosEnvironment env)
    {
        using var p = Process.GetCurrentProcess();
        var now = DateTime.UtcNow;
        var cpu = p.TotalProcessorTime;
        double wall = (now - _lastAt).TotalSeconds;
        double percent = wall <= 0 ? 0 : Math.Round(100 * (cpu - _lastCpu).TotalSeconds / wall, 1);
        _lastCpu = cpu; _lastAt = now;
        int slots = env.Settings.ChunkSlots;
        return new NodeLoad(node, shots, slots, Hosting.TalosMetrics.ChunksInFlight, percent, p.WorkingSet64, GC.GetTotalMemory(false),
            Math.Round((now - p.StartTime.ToUniversalTime()).TotalSeconds, 1), Environment.ProcessorCount, p.Id);
    }

    /// <param name="shotRegion">The local shot region on a node with role gpu (its entities are the node's shots); null elsewhere.</param>
    public static Props Props(TalosEnvironment env, IActorRef? shotRegion) => Akka.Actor.Props.Create(() => new NodeOpsActor(env, shotRegion));
}
