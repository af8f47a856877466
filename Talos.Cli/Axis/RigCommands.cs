using System.CommandLine;
using Talos.Gpu.Axis;
using Talos.Gpu.Axis.Rigging;

namespace Talos.Cli.Axis;

/// <summary>
/// <c>talos rig check RIG.json</c>: every problem of a rig file with its JSON path (exit 2 when there are any);
/// <c>talos rig sheet RIG.json --out sheet.png</c>: its model sheet (every pose × emotion, the mouth set, the palette).
/// A built-in rig's name (lanky, stocky, round) stands for its rig. Drawings resolve relative to the rig file; see docs/rigs.md.
/// </summary>
public static class RigCommands
{
    public static Command Create()
    {
        var rig = new Command("rig", "Check a rig file, or draw its model sheet (docs/rigs.md)");
        var checkFile = new Argument<string>("rig") { Description = "the rig file (rig.json) or a built-in rig's name" };
        var check = new Command("check", "List every problem of a rig file with its JSON path") { checkFile };
        check.SetAction((parse, ct) => CliErrors.Guard(() => Task.FromResult(Check(parse.GetValue(checkFile)!, Console.Out))));
        var sheetFile = new Argument<string>("rig") { Description = "the rig file (rig.json) or a built-in rig's name" };
        var output = new Option<string>("--out", "-o") { Description = "where to write the sheet (PNG)", Required = true };
        var sheet = new Command("sheet", "Draw a rig's model sheet: every pose x emotion, the mouth set, the palette") { sheetFile, output };
        sheet.SetAction((parse, ct) => CliErrors.Guard(() => Task.FromResult(Sheet(parse.GetValue(sheetFile)!, parse.GetValue(output)!))));
        rig.Subcommands.Add(check);
        rig.Subcommands.Add(sheet);
        return rig;
    }

    public static int Check(string path, TextWriter output)
    {
        if (Rigs.Names.Contains(path) && !File.Exists(path))
        {
            output.WriteLine($"{path}: built-in rig, ok");
            return CliErrors.Ok;
        }
        var (json, assets) = ReadFile(path);
        var problems = RigFile.Check(json, assets);
        if (problems.Count == 0)
        {
            var r = Rigs.Load(json, assets);
            var body = r.Body!;
            output.WriteLine($"{path}: ok — rig '{r.Name}', {body.Bones.Count} bones, {body.Parts.Count} parts, {body.Poses.Count} poses, {body.Emotions.Count} emotions, {r.DefaultPalette.Count} regions");
            return CliErrors.Ok;
        }
        output.WriteLine($"{path}: {problems.Count}{(problems.Count >= RigFile.MaxProblems ? "+" : "")} problem{(problems.Count == 1 ? "" : "s")}");
        foreach (var p in problems) output.WriteLine($"  {p}");
        return CliErrors.BadInput;
    }

    public static int Sheet(string path, string outPath)
    {
        Rig rig;
        if (Rigs.Names.Contains(path) && !File.Exists(path)) rig = Rigs.Get(path);
        else
        {
            var (json, assets) = ReadFile(path);
            try { rig = Rigs.Load(json, assets); }
            catch (ArgumentException e) { throw new UsageException($"{path}: {e.Message}"); }
        }
        CliFiles.Write(outPath, RigSheet.Render(rig).ToPng());
        Console.Out.WriteLine($"wrote {outPath}");
        return CliErrors.Ok;
    }

    static (string Json, Func<string, byte[]> Assets) ReadFile(string path) =>
        (CliFiles.ReadText(path, RigFile.MaxBytes), RigAssets.FromDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!));
}
