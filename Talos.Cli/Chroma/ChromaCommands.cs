using System.CommandLine;
using Talos.Gpu.Chroma;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;

namespace Talos.Cli.Chroma;

/// <summary>
/// <c>talos colorize LINE.png --palette P.json [--hints H.json] --out C.png</c>: one line drawing coloured from a colour
/// model sheet; writes C.png, the region-index image C.regions.png and the palette table C.palette.json.
/// <c>talos colorize-seq DIR --palette P.json --key K.png --out DIR</c>: the drawings of DIR (PNG, in name order)
/// coloured from K.png, an artist's colouring of the first one, carried along the optical flow.
/// Formats: docs/palette.md.
/// </summary>
public static class ChromaCommands
{
    const long MaxJsonBytes = 4 << 20;
    public const int MaxFrames = 10_000;

    public static Command Colorize()
    {
        var line = new Argument<string>("LINE") { Description = "line drawing (PNG/JPEG, dark lines on light paper)" };
        var palette = new Option<string>("--palette", "-p") { Description = "colour model sheet JSON (docs/palette.md)", Required = true };
        var hints = new Option<string?>("--hints") { Description = "hints JSON: points naming the palette region under them" };
        var output = new Option<string>("--out", "-o") { Description = "output PNG (also writes NAME.regions.png and NAME.palette.json)", Required = true };
        var (character, mood, gap) = CommonOptions();
        var cmd = new Command("colorize", "Colour a line drawing from a palette: regions, gap closing, hints, mood grade") { line, palette, hints, output, character, mood, gap };
        cmd.SetAction((parse, ct) => CliErrors.Guard(() =>
        {
            string linePath = parse.GetValue(line)!, palPath = parse.GetValue(palette)!, outPath = parse.GetValue(output)!;
            string? hintPath = parse.GetValue(hints);
            int radius = Gap(parse.GetValue(gap));
            OutputPng(outPath, "--out");
            var (regionsPath, tablePath) = Siblings(outPath);
            NotAnInput([outPath, regionsPath, tablePath], [linePath, palPath, hintPath]);

            var model = ColourModel.Parse(CliFiles.ReadText(palPath, MaxJsonBytes), $"palette '{palPath}'");
            var table = MoodGrade.Grade(model.TableFor(parse.GetValue(character)), Mood(parse.GetValue(mood))).ToList();
            var lines = KeyImages.ReadInk(CliFiles.Read(linePath), linePath);
            var seeds = hintPath is null ? [] : ColourHints.Parse(CliFiles.ReadText(hintPath, MaxJsonBytes), $"hints '{hintPath}'");
            foreach (var s in seeds)
                if (!table.Any(e => e.Name == s.Region))
                    throw new UsageException($"hint at ({s.X}, {s.Y}) names region '{s.Region}', which the palette does not have");
            int fallback = table.FindIndex(e => e.Name == "default");
            if (seeds.Count == 0 && fallback < 0)
                throw new UsageException("without --hints the palette needs a 'default' region to paint the regions with");
            var regions = LabelPropagation.FromSeeds(lines, seeds, table, radius);
            if (fallback >= 0)
            {
                var enclosed = LabelPropagation.Enclosed(lines, regions.Labels);
                for (int l = 1; l < regions.EntryOfRegion.Length; l++)
                    if (regions.EntryOfRegion[l] < 0 && enclosed[l]) regions.EntryOfRegion[l] = fallback;
            }
            var image = Colorizer.Render(lines, regions, table, model.Ink);
            CliFiles.Write(outPath, KeyImages.WriteRgba(image));
            CliFiles.Write(regionsPath, Colorizer.RegionIndexPng(regions.Labels));
            CliFiles.Write(tablePath, Colorizer.PaletteTableJson(regions, table));
            int painted = regions.EntryOfRegion.Skip(1).Count(e => e >= 0);
            Console.WriteLine($"wrote {outPath}, {regionsPath}, {tablePath}: {regions.Labels.RegionCount} regions, {painted} painted");
            return Task.FromResult(CliErrors.Ok);
        }));
        return cmd;
    }

    public static Command ColorizeSequence()
    {
        var dir = new Argument<string>("DIR") { Description = "folder of line drawings (PNG), one per frame, in name order" };
        var palette = new Option<string>("--palette", "-p") { Description = "colour model sheet JSON (docs/palette.md)", Required = true };
        var key = new Option<string>("--key", "-k") { Description = "the first drawing, coloured by the artist (PNG, same size)", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "output folder (coloured PNGs, regions/, palette.json)", Required = true };
        var (character, mood, gap) = CommonOptions();
        var cmd = new Command("colorize-seq", "Colour a sequence of drawings from a coloured first frame (colour one frame, colour the shot)") { dir, palette, key, output, character, mood, gap };
        cmd.SetAction((parse, ct) => CliErrors.Guard(() =>
        {
            string inDir = parse.GetValue(dir)!, palPath = parse.GetValue(palette)!, keyPath = parse.GetValue(key)!, outDir = parse.GetValue(output)!;
            int radius = Gap(parse.GetValue(gap));
            if (!Directory.Exists(inDir)) throw new UsageException($"no such folder '{inDir}'");
            string inFull = Full(inDir), outFull = Full(outDir);
            if (inFull == outFull || outFull.StartsWith(inFull + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new UsageException($"--out '{outDir}' must not be the input folder or inside it (it would mix outputs with the drawings)");
            if (File.Exists(outFull)) throw new UsageException($"--out '{outDir}' is a file, not a folder");
            var files = Directory.GetFiles(inDir, "*.png").OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToList();
            if (files.Count == 0) throw new UsageException($"'{inDir}' holds no .png drawings");
            if (files.Count > MaxFrames) throw new UsageException($"'{inDir}' holds {files.Count} drawings, more than {MaxFrames}");
            foreach (var f in files)
                if (new FileInfo(f).LinkTarget is not null) throw new UsageException($"'{f}' is a symbolic link; give the drawings themselves");

            var model = ColourModel.Parse(CliFiles.ReadText(palPath, MaxJsonBytes), $"palette '{palPath}'");
            var table = MoodGrade.Grade(model.TableFor(parse.GetValue(character)), Mood(parse.GetValue(mood))).ToList();
            var frames = new List<GrayImage>();
            foreach (var f in files)
            {
                var g = KeyImages.ReadInk(CliFiles.Read(f), f);
                if (frames.Count > 0 && (g.Width != frames[0].Width || g.Height != frames[0].Height))
                    throw new UsageException($"'{f}' is {g.Width}x{g.Height} but '{files[0]}' is {frames[0].Width}x{frames[0].Height}: the drawings must have the same size");
                frames.Add(g);
            }
            var keyImage = KeyImages.ReadRgba(CliFiles.Read(keyPath), keyPath);
            if (keyImage.Width != frames[0].Width || keyImage.Height != frames[0].Height)
                throw new UsageException($"the key '{keyPath}' is {keyImage.Width}x{keyImage.Height} but the drawings are {frames[0].Width}x{frames[0].Height}");

            Directory.CreateDirectory(Path.Combine(outFull, "regions"));
            int k = 0, scribbled = 0;
            RegionColours? last = null;
            foreach (var (regions, stats) in SequenceColorizer.Run(frames, keyImage, table, radius, ct))
            {
                string name = Path.GetFileName(files[k]);
                CliFiles.Write(Path.Combine(outFull, name), KeyImages.WriteRgba(Colorizer.Render(frames[k], regions, table, model.Ink)));
                CliFiles.Write(Path.Combine(outFull, "regions", name), Colorizer.RegionIndexPng(regions.Labels));
                scribbled += stats?.Scribbled ?? 0;
                last = regions;
                k++;
            }
            CliFiles.Write(Path.Combine(outFull, "palette.json"), Colorizer.PaletteTableJson(last!, table));
            Console.WriteLine($"wrote {k} coloured frames to {outDir} ({scribbled} region(s) filled from scribbles where matching failed)");
            return Task.FromResult(CliErrors.Ok);
        }));
        return cmd;
    }

    static (Option<string?> Character, Option<string?> Mood, Option<int?> Gap) CommonOptions() => (
        new Option<string?>("--character") { Description = "use this character's entries of the palette over the shared ones" },
        new Option<string?>("--mood") { Description = "mood grade over the fills: calm, joy, anger, fear, sadness, surprise" },
        new Option<int?>("--gap") { Description = $"gap-closing ball radius in pixels, 0..8 (default {RegionLabeller.DefaultGapRadius})" });

    static int Gap(int? gap) => gap switch
    {
        null => RegionLabeller.DefaultGapRadius,
        < 0 or > 8 => throw new UsageException($"--gap {gap} is outside 0..8"),
        { } g => g,
    };

    static string? Mood(string? mood) =>
        MoodGrade.Knows(mood) ? mood : throw new UsageException($"--mood '{mood}' is not one of {string.Join(", ", MoodGrade.Moods)}");

    static void OutputPng(string path, string option)
    {
        if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"{option} must name a .png file, not '{path}'");
        if (Directory.Exists(path)) throw new UsageException($"{option} '{path}' is a folder");
    }

    static (string Regions, string Table) Siblings(string png)
    {
        string stem = png[..^4];
        return (stem + ".regions.png", stem + ".palette.json");
    }

    static void NotAnInput(string[] outputs, string?[] inputs)
    {
        foreach (var o in outputs)
            foreach (var i in inputs)
                if (i is not null && Full(o) == Full(i)) throw new UsageException($"output '{o}' would overwrite the input '{i}'");
    }

    static string Full(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
}
