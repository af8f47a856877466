using System.Text.RegularExpressions;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Docs;

/// <summary>docs/ARCHITECTURE.md's layout table is the tree: every folder it names exists, and every project's folders are named.</summary>
public sealed partial class LayoutTests
{
    [GeneratedRegex(@"^\| `(Talos\.[A-Za-z.]+(?:/[A-Za-z]+)?)` \|", RegexOptions.Multiline)]
    private static partial Regex Row();

    [Fact]
    public void The_architecture_layout_table_matches_the_tree()
    {
        var doc = File.ReadAllText(Path.Combine(Repo.Root, "docs", "ARCHITECTURE.md"));
        int start = doc.IndexOf("\n## Layout", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/ARCHITECTURE.md has no '## Layout' section");
        int end = doc.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var named = Row().Matches(doc[start..(end < 0 ? doc.Length : end)]).Select(m => m.Groups[1].Value).ToHashSet();

        var problems = named.Where(p => !Directory.Exists(Path.Combine(Repo.Root, p))).Select(p => $"{p} is named but does not exist").ToList();
        foreach (var project in Directory.GetDirectories(Repo.Root, "Talos.*").Where(d => Directory.GetFiles(d, "*.csproj").Length > 0))
        {
            var name = Path.GetFileName(project);
            var folders = Directory.GetDirectories(project).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")).ToList();
            if (folders.Count == 0) { if (!named.Contains(name)) problems.Add($"{name} is not in the table"); continue; }
            problems.AddRange(folders.Where(f => !named.Contains($"{name}/{f}")).Select(f => $"{name}/{f} is not in the table"));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
