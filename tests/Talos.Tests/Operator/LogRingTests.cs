using Talos.Actors.Operations;
using Xunit;

namespace Talos.Tests.Operator;

/// <summary>The node's bounded log ring: oldest lines dropped first, readers follow by sequence number, lines tagged by shot.</summary>
public sealed class LogRingTests
{
    static readonly DateTimeOffset T = DateTimeOffset.UnixEpoch;

    [Fact]
    public void A_full_ring_drops_its_oldest_lines_and_readers_follow_by_sequence()
    {
        var ring = new LogRing(4);
        for (int i = 1; i <= 10; i++) ring.Add(T.AddSeconds(i), "INFO", "/user/x", "line " + i);
        Assert.Equal(10, ring.LastSeq);
        Assert.Equal(["line 7", "line 8", "line 9", "line 10"], ring.After(0, null, 100).Select(l => l.Message).ToArray());
        Assert.Equal([9L, 10L], ring.After(8, null, 100).Select(l => l.Seq).ToArray());
        Assert.Empty(ring.After(10, null, 100));
        Assert.Equal(["line 9", "line 10"], ring.After(0, null, 2).Select(l => l.Message).ToArray()); // the newest when capped
    }

    [Fact]
    public void Lines_are_tagged_with_the_shot_of_the_actor_path_or_the_message()
    {
        var ring = new LogRing(16);
        ring.Add(T, "INFO", "akka://talos/system/sharding/shots/7/prod--sh01/FLUX-1", "chunk 3 done");
        ring.Add(T, "WARNING", "akka://talos/user/hephaestus", "shot prod--sh02 failed: boom");
        ring.Add(T, "INFO", "akka://talos/system/cluster/core/daemon", "Leader is moving node [akka.tcp://talos@h:1] to [Up]");
        ring.Add(T, "INFO", "akka://talos/system/sharding/shots/3/my%2Dprod--a.b_c", "started");
        var lines = ring.After(0, null, 100);
        Assert.Equal(["prod--sh01", "prod--sh02", "-", "my-prod--a.b_c"], lines.Select(l => l.Shot ?? "-").ToArray());
        Assert.Equal("chunk 3 done", Assert.Single(ring.After(0, "prod--sh01", 100)).Message);
        Assert.Empty(ring.After(0, "prod--nope", 100));
    }

    [Fact]
    public void Long_messages_are_cut()
    {
        var ring = new LogRing(2);
        var line = ring.Add(T, "INFO", "/x", new string('a', LogRing.MaxMessageChars + 500));
        Assert.Equal(LogRing.MaxMessageChars + 1, line.Message.Length);
    }
}
