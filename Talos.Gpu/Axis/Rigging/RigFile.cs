using System.Text.Json;
using SkiaSharp;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Axis.Rigging;

/// <summary>One problem in a rig file: the JSON path of the value at fault (<c>$.bones[3].parent</c>) and what is wrong.</summary>
public sealed record RigProblem(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>
/// Reads a rig file (<c>rig.json</c>, format <c>talos-rig/1</c>, docs/rigs.md, docs/rig.schema.json) into a
/// <see cref="Rig"/>. <see cref="Check"/> lists every problem with its JSON path — unknown fields, unknown parents,
/// bone cycles, path syntax errors with their offsets, missing or undecodable assets, regions without a palette
/// colour, limits — and <see cref="Read"/> throws one ArgumentException listing them. Drawing references (a relative
/// path or <c>sha256/HEX</c>) are resolved to bytes by the caller's reader.
/// </summary>
public static class RigFile
{
    public const string Format = "talos-rig/1";
    public const int MaxBytes = 16 << 20;
    public const int MaxBones = 512;
    public const int MaxParts = 2048;
    public const int MaxDrawings = 8192;
    public const int MaxImageSide = 4096;
    public const int MaxImageBytes = 32 << 20;
    /// <summary>Most problems listed (a file of 100,000 broken bones does not print 100,000 lines).</summary>
    public const int MaxProblems = 50;

    static readonly string[] TopFields = ["format", "name", "height", "palette", "bones", "parts", "ik", "gait", "poses", "emotions", "controls"];
    static readonly string[] BoneFields = ["name", "parent", "length", "angle", "x", "y", "contact"];
    static readonly string[] DrawingFields = ["path", "image", "pivot", "scale", "angle", "region", "ink", "line", "pen", "round", "clip", "cut", "pieces"];
    static readonly string[] PartFields = [.. DrawingFields, "name", "bone", "order", "slot", "drawings", "default", "far"];
    static readonly string[] PoseFields = ["bones", "lift", "drawings"];
    static readonly string[] MouthShapes = ["A", "B", "C", "D", "E", "F", "G", "H", "X"];

    /// <summary>The rig in <paramref name="json"/>; every problem at once in one ArgumentException.</summary>
    public static Rig Read(string json, Func<string, byte[]>? readAsset = null)
    {
        var (rig, problems) = Parse(json, readAsset);
        if (problems.Count > 0)
            throw new ArgumentException($"rig file has {(problems.Count >= MaxProblems ? "at least " : "")}{problems.Count} problem{(problems.Count == 1 ? "" : "s")}:\n  " + string.Join("\n  ", problems));
        return rig!;
    }

    /// <summary>Every problem of the rig file (empty when it reads cleanly).</summary>
    public static IReadOnlyList<RigProblem> Check(string json, Func<string, byte[]>? readAsset = null) => Parse(json, readAsset).Problems;

    sealed class Problems : List<RigProblem>
    {
        public void Add(string path, string message)
        {
            if (Count < MaxProblems) Add(new RigProblem(path, message));
        }
        public bool Full => Count >= MaxProblems;
    }

    static (Rig? Rig, IReadOnlyList<RigProblem> Problems) Parse(string json, Func<string, byte[]>? readAsset)
    {
        ArgumentNullException.ThrowIfNull(json);
        var p = new Problems();
        if (json.Length > MaxBytes) { p.Add("$", $"rig file has {json.Length} characters; at most {MaxBytes} are allowed"); return (null, p); }
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 }); }
        catch (JsonException e) { p.Add("$", $"not valid JSON: {e.Message}"); return (null, p); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) { p.Add("$", "a rig file is a JSON object"); return (null, p); }
            Unknown(root, "$", TopFields, p);
            if (root.TryGetProperty("format", out var fmt) && (fmt.ValueKind != JsonValueKind.String || fmt.GetString() != Format))
                p.Add("$.format", $"must be \"{Format}\"");
            string name = Text(root, "name", "$", p) ?? "";
            float height = Number(root, "height", "$", p, 1f, 0.01f, 10f);

            var palette = new Dictionary<string, Rgb>(StringComparer.Ordinal);
            if (!root.TryGetProperty("palette", out var pal) || pal.ValueKind != JsonValueKind.Object || !pal.EnumerateObject().Any())
                p.Add("$.palette", "must be an object of region name → \"#rrggbb\" with at least one region");
            else
                foreach (var e in pal.EnumerateObject())
                    if (Rgb.TryParseHex(e.Value.ValueKind == JsonValueKind.String ? e.Value.GetString() : null, out var c)) palette[e.Name] = c;
                    else p.Add($"$.palette.{e.Name}", "is not a colour of the form #rrggbb");

            var bones = ReadBones(root, p, out var declared);
            if (declared is null) return (null, p); // too many bones: that one error says it all
            var boneIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < bones.Count; i++) boneIndex[bones[i].Name] = i;
            var parts = ReadParts(root, declared, boneIndex, palette, readAsset, p);
            var ik = ReadIk(root, bones, declared, boneIndex, p);
            var gait = ReadGait(root, ik, p);
            var poses = ReadPoses(root, "poses", declared, parts, p);
            var emotions = ReadPoses(root, "emotions", declared, parts, p);
            var controls = ReadControls(root, declared, boneIndex, p);
            if (root.TryGetProperty("poses", out _) && !poses.ContainsKey("idle")) p.Add("$.poses", "needs an \"idle\" pose (the rest pose other poses fall back to)");
            if (!root.TryGetProperty("poses", out _)) p.Add("$.poses", "is required (at least \"idle\")");
            if (p.Count > 0) return (null, p);
            var body = new RigBody(bones, parts, ik, gait, poses, emotions) { Controls = controls };
            if (gait is not null) CheckReach(body, gait, p);
            if (p.Count > 0) return (null, p);
            var rig = new Rig
            {
                Name = name, Height = height, DefaultPalette = palette,
                Body = body,
            };
            return (rig, p);
        }
    }

    /// <summary>The bones, parents first (empty when any bone has a problem); <paramref name="declared"/> every bone name given, null past the bone limit.</summary>
    static List<Bone> ReadBones(JsonElement root, Problems p, out HashSet<string>? declared)
    {
        var result = new List<Bone>();
        declared = new HashSet<string>(StringComparer.Ordinal);
        if (!root.TryGetProperty("bones", out var arr) || arr.ValueKind != JsonValueKind.Array || arr.GetArrayLength() == 0)
        {
            p.Add("$.bones", "must be an array of at least one bone");
            return result;
        }
        if (arr.GetArrayLength() > MaxBones)
        {
            p.Add("$.bones", $"rig has {arr.GetArrayLength()} bones; at most {MaxBones} are allowed");
            declared = null;
            return result;
        }
        var raw = new List<(string Name, string? Parent, float Length, float Angle, float? X, float Y, bool Contact, float Sole, string Where)>();
        var seen = declared;
        int i = 0;
        foreach (var b in arr.EnumerateArray())
        {
            string where = $"$.bones[{i++}]";
            if (b.ValueKind != JsonValueKind.Object) { p.Add(where, "a bone is an object"); continue; }
            Unknown(b, where, BoneFields, p);
            var name = Text(b, "name", where, p);
            if (name is null) continue;
            if (!seen.Add(name)) p.Add($"{where}.name", $"bone '{name}' is defined twice");
            string? parent = b.TryGetProperty("parent", out var pe) ? Text(b, "parent", where, p) : null;
            float length = Number(b, "length", where, p, 0f, 0f, 100f);
            float angle = Number(b, "angle", where, p, 0f, -720f, 720f);
            float? x = b.TryGetProperty("x", out _) ? Number(b, "x", where, p, 0f, -100f, 100f) : null;
            float y = Number(b, "y", where, p, 0f, -100f, 100f);
            // true, or the radius of the rounded sole around the bone's end
            bool contact = b.TryGetProperty("contact", out var ce) && (ce.ValueKind == JsonValueKind.True || ce.ValueKind == JsonValueKind.Number
                || (ce.ValueKind != JsonValueKind.False && Bad(p, $"{where}.contact", "must be true, false or the radius of the sole around the bone's end (a number in [0, 10])")));
            float sole = ce.ValueKind == JsonValueKind.Number ? Number(b, "contact", where, p, 0f, 0f, 10f) : 0f;
            raw.Add((name, parent, length, angle, x, y, contact, sole, where));
        }
        var byName = raw.Select((r, k) => (r.Name, k)).GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First().k, StringComparer.Ordinal);
        int roots = 0;
        foreach (var r in raw)
        {
            if (r.Parent is null) { roots++; continue; }
            if (!byName.ContainsKey(r.Parent)) p.Add($"{r.Where}.parent", $"unknown parent '{r.Parent}'");
        }
        if (roots != 1 && raw.Count > 0) p.Add("$.bones", roots == 0 ? "no root bone (one bone must have no parent)" : $"{roots} root bones (exactly one bone has no parent)");
        // Cycles: follow parents from each bone; a walk longer than the bone count loops.
        var inCycle = new HashSet<int>();
        for (int k = 0; k < raw.Count; k++)
        {
            int at = k, steps = 0;
            while (raw[at].Parent is { } par && byName.TryGetValue(par, out int next) && steps <= raw.Count) { at = next; steps++; }
            if (steps > raw.Count && inCycle.Add(k))
                p.Add($"{raw[k].Where}.parent", $"bone '{raw[k].Name}' is in a parent cycle");
        }
        if (p.Count > 0) return result;
        // Parents before children (a stable topological order of the file's order).
        var placed = new Dictionary<string, int>(StringComparer.Ordinal);
        while (result.Count < raw.Count)
            foreach (var r in raw)
            {
                if (placed.ContainsKey(r.Name) || (r.Parent is not null && !placed.ContainsKey(r.Parent))) continue;
                int parent = r.Parent is null ? -1 : placed[r.Parent];
                float startX = r.X ?? (parent < 0 ? 0f : result[parent].Length);
                placed[r.Name] = result.Count;
                result.Add(new Bone(r.Name, parent, r.Length, r.Angle, new V2(startX, r.Y), r.Contact) { Sole = r.Sole });
            }
        return result;
    }

    static List<RigPart> ReadParts(JsonElement root, HashSet<string> declared, Dictionary<string, int> bones, Dictionary<string, Rgb> palette, Func<string, byte[]>? readAsset, Problems p)
    {
        var result = new List<RigPart>();
        if (!root.TryGetProperty("parts", out var arr) || arr.ValueKind != JsonValueKind.Array || arr.GetArrayLength() == 0)
        {
            p.Add("$.parts", "must be an array of at least one part");
            return result;
        }
        if (arr.GetArrayLength() > MaxParts) { p.Add("$.parts", $"rig has {arr.GetArrayLength()} parts; at most {MaxParts} are allowed"); return result; }
        int i = 0, drawings = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        var images = new Dictionary<string, CutOutPixels?>(StringComparer.Ordinal);
        foreach (var part in arr.EnumerateArray())
        {
            string where = $"$.parts[{i}]";
            float defaultOrder = i++;
            if (p.Full) break;
            if (part.ValueKind != JsonValueKind.Object) { p.Add(where, "a part is an object"); continue; }
            Unknown(part, where, PartFields, p);
            string name = Text(part, "name", where, p) ?? "";
            if (name.Length > 0 && !names.Add(name)) p.Add($"{where}.name", $"part '{name}' is defined twice");
            string? boneName = Text(part, "bone", where, p);
            int bone = -1;
            if (boneName is not null && !declared.Contains(boneName)) p.Add($"{where}.bone", $"unknown bone '{boneName}'");
            if (boneName is null || !bones.TryGetValue(boneName, out bone)) bone = -1;
            float order = Number(part, "order", where, p, defaultOrder, -1e6f, 1e6f);
            string? slot = part.TryGetProperty("slot", out _) ? Text(part, "slot", where, p) : null;
            var set = new Dictionary<string, Drawing>(StringComparer.Ordinal);
            string def = "default";
            if (part.TryGetProperty("drawings", out var ds))
            {
                if (DrawingFields.Any(f => part.TryGetProperty(f, out _)))
                    p.Add(where, "a part has either its own drawing fields or \"drawings\", not both");
                if (ds.ValueKind != JsonValueKind.Object || !ds.EnumerateObject().Any()) { p.Add($"{where}.drawings", "must be an object of drawing name → drawing"); continue; }
                foreach (var d in ds.EnumerateObject())
                {
                    if (++drawings > MaxDrawings) { p.Add($"{where}.drawings", $"rig has more than {MaxDrawings} drawings"); break; }
                    if (d.Value.ValueKind == JsonValueKind.Null) set[d.Name] = Drawing.Empty; // this drawing of the part shows nothing
                    else if (ReadDrawing(d.Value, $"{where}.drawings.{d.Name}", palette, readAsset, images, declared, bones, p) is { } drawing) set[d.Name] = drawing;
                }
                def = part.TryGetProperty("default", out _) ? Text(part, "default", where, p) ?? "" : ds.EnumerateObject().First().Name;
                if (!ds.TryGetProperty(def, out _)) p.Add($"{where}.default", $"names no drawing of the part ('{def}')");
                if (slot == "mouth")
                    foreach (var m in MouthShapes)
                        if (!ds.TryGetProperty(m, out _)) p.Add($"{where}.drawings", $"the mouth slot needs a drawing for every mouth shape A-H and X; '{m}' is missing");
            }
            else
            {
                if (part.TryGetProperty("default", out _)) p.Add($"{where}.default", "only a part with \"drawings\" has a default");
                if (ReadDrawing(part, where, palette, readAsset, images, declared, bones, p) is { } drawing) set[def] = drawing;
                drawings++;
            }
            if (slot is not null && !part.TryGetProperty("drawings", out _)) p.Add($"{where}.slot", "a part with a slot swaps drawings: give it \"drawings\"");
            (float, string)? far = null;
            if (part.TryGetProperty("far", out var fe))
            {
                string fw = $"{where}.far";
                if (fe.ValueKind != JsonValueKind.Object) p.Add(fw, "must be { \"scale\": pixels per rig unit, \"drawing\": name }");
                else
                {
                    Unknown(fe, fw, ["scale", "drawing"], p);
                    float scale = Number(fe, "scale", fw, p, 0f, 0f, 1e5f);
                    if (Text(fe, "drawing", fw, p) is { } fd)
                        if (!set.ContainsKey(fd) && !(part.TryGetProperty("drawings", out var all) && all.ValueKind == JsonValueKind.Object && all.TryGetProperty(fd, out _))) p.Add($"{fw}.drawing", $"names no drawing of the part ('{fd}')");
                        else far = (scale, fd);
                }
            }
            if (bone >= 0) result.Add(new RigPart(name, bone, order, slot, def, set) { Far = far });
        }
        // Stable back-to-front order.
        return result.Select((r, k) => (r, k)).OrderBy(t => t.r.Order).ThenBy(t => t.k).Select(t => t.r).ToList();
    }

    sealed record CutOutPixels(int Width, int Height, float[] Field, float[] Ink);

    /// <summary>
    /// Signed distance (image pixels, negative inside) from each pixel centre to the silhouette's edge (alpha ≥ 0.5 is
    /// inside; beyond the image is outside): a two-pass chamfer transform (steps 1 and √2) each way.
    /// </summary>
    static float[] SignedDistance(float[] alpha, int w, int h)
    {
        float[] Pass(bool inside)
        {
            const float big = 1e9f, diag = 1.41421356f;
            var d = new float[w * h];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    bool isIn = alpha[y * w + x] >= 0.5f;
                    // distance to the nearest pixel of the other kind; the image's border counts as outside
                    d[y * w + x] = isIn != inside ? 0f : inside && (x == 0 || y == 0 || x == w - 1 || y == h - 1) ? 1f : big;
                }
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    float v = d[y * w + x];
                    if (x > 0) v = MathF.Min(v, d[y * w + x - 1] + 1);
                    if (y > 0)
                    {
                        v = MathF.Min(v, d[(y - 1) * w + x] + 1);
                        if (x > 0) v = MathF.Min(v, d[(y - 1) * w + x - 1] + diag);
                        if (x < w - 1) v = MathF.Min(v, d[(y - 1) * w + x + 1] + diag);
                    }
                    d[y * w + x] = v;
                }
            for (int y = h - 1; y >= 0; y--)
                for (int x = w - 1; x >= 0; x--)
                {
                    float v = d[y * w + x];
                    if (x < w - 1) v = MathF.Min(v, d[y * w + x + 1] + 1);
                    if (y < h - 1)
                    {
                        v = MathF.Min(v, d[(y + 1) * w + x] + 1);
                        if (x < w - 1) v = MathF.Min(v, d[(y + 1) * w + x + 1] + diag);
                        if (x > 0) v = MathF.Min(v, d[(y + 1) * w + x - 1] + diag);
                    }
                    d[y * w + x] = v;
                }
            return d;
        }
        var outside = Pass(false);
        var inside = Pass(true);
        var field = new float[w * h];
        for (int k = 0; k < field.Length; k++)
            field[k] = alpha[k] >= 0.5f ? -(MathF.Min(inside[k], 1e6f) - 0.5f) : MathF.Min(outside[k], 1e6f) - 0.5f;
        return field;
    }

    static Drawing? ReadDrawing(JsonElement d, string where, Dictionary<string, Rgb> palette, Func<string, byte[]>? readAsset, Dictionary<string, CutOutPixels?> images,
        HashSet<string> declared, Dictionary<string, int> bones, Problems p)
    {
        if (d.ValueKind != JsonValueKind.Object) { p.Add(where, "a drawing is an object with \"path\" or \"image\" (or null in \"drawings\": it draws nothing)"); return null; }
        bool hasPath = d.TryGetProperty("path", out var _), hasImage = d.TryGetProperty("image", out _);
        if (hasPath == hasImage) { p.Add(where, "a drawing has exactly one of \"path\" (SVG path data) or \"image\" (a PNG cut-out)"); return null; }
        var ink = InkKind.Region;
        if (d.TryGetProperty("ink", out var inkEl))
        {
            var s = inkEl.ValueKind == JsonValueKind.String ? inkEl.GetString() : null;
            if (s == "line") ink = InkKind.Line;
            else if (s == "fill") ink = InkKind.Fill;
            else p.Add($"{where}.ink", "must be \"line\" (an open stroke) or \"fill\" (solid ink)");
        }
        string? region = d.TryGetProperty("region", out _) ? Text(d, "region", where, p) : null;
        if (ink == InkKind.Region && region is null && hasPath) p.Add(where, "a path drawing needs a \"region\" (the CHROMA region it encloses) or \"ink\"");
        if (ink != InkKind.Region && region is not null) p.Add($"{where}.region", "an ink drawing has no region");
        if (region is not null && !palette.ContainsKey(region)) p.Add($"{where}.region", $"unknown region '{region}' (not in the palette)");
        float line = Number(d, "line", where, p, 1f, 0f, 20f);
        if (!hasImage && d.TryGetProperty("angle", out _)) p.Add($"{where}.angle", "only an image drawing turns (a path is drawn in the bone's own units)");
        if (hasImage)
        {
            foreach (var f in new[] { "pivot", "scale" }) if (!d.TryGetProperty(f, out _)) p.Add(where, $"an image drawing needs \"{f}\"");
            if (ink == InkKind.Line) p.Add($"{where}.ink", "an image drawing is a painted cut-out (\"region\") or ink only (\"ink\": \"fill\": its dark pixels)");
            else if (region is null && ink == InkKind.Region) p.Add(where, "an image drawing needs a \"region\" (CHROMA paints its silhouette) or \"ink\": \"fill\"");
            string? asset = Text(d, "image", where, p);
            float scale = Number(d, "scale", where, p, 0.001f, 1e-6f, 1f);
            float angle = Number(d, "angle", where, p, 0f, -360f, 360f);
            V2 pivot = default;
            if (d.TryGetProperty("pivot", out var pv))
            {
                if (pv.ValueKind == JsonValueKind.Array && pv.GetArrayLength() == 2 && pv[0].TryGetSingle(out var px) && pv[1].TryGetSingle(out var py) && float.IsFinite(px) && float.IsFinite(py)) pivot = new V2(px, py);
                else p.Add($"{where}.pivot", "must be [x, y] in image pixels");
            }
            if (asset is null) return null;
            if (!images.TryGetValue(asset, out var pixels)) images[asset] = pixels = LoadImage(asset, readAsset, $"{where}.image", p);
            if (pixels is null) return null;
            return new Drawing(null, new CutOut(pixels.Width, pixels.Height, pixels.Field, pixels.Ink, pivot, scale, angle), ink, region, line);
        }
        var shaping = new[] { "round", "clip", "cut", "pieces" }.Where(f => d.TryGetProperty(f, out _)).ToList();
        if (hasImage && shaping.Count > 0) p.Add($"{where}.{shaping[0]}", "only a path drawing is rounded, clipped, cut or pieced");
        if (ink == InkKind.Line && shaping.Count > 0) p.Add($"{where}.{shaping[0]}", "a line is not an area: only a region or fill drawing is rounded, clipped, cut or pieced");
        bool outlinePen = false;
        if (d.TryGetProperty("pen", out var pen))
        {
            if (ink != InkKind.Line) p.Add($"{where}.pen", "only a line drawing (\"ink\": \"line\") picks a pen");
            else if (pen.ValueKind == JsonValueKind.String && pen.GetString() is "outline" or "detail") outlinePen = pen.GetString() == "outline";
            else p.Add($"{where}.pen", "must be \"outline\" (the parts' outline pen) or \"detail\" (the inner-line pen, the default)");
        }
        var main = Paths(d, "path", where, ink == InkKind.Line ? 2 : 3, p);
        if (main is null) return null;
        var clip = d.TryGetProperty("clip", out _) ? Paths(d, "clip", where, 3, p) : null;
        var cut = d.TryGetProperty("cut", out _) ? Paths(d, "cut", where, 3, p) : null;
        var pieces = new List<Piece>();
        if (d.TryGetProperty("pieces", out var pe))
        {
            if (pe.ValueKind != JsonValueKind.Array || pe.GetArrayLength() == 0) p.Add($"{where}.pieces", "must be an array of { \"bone\", \"path\", \"round\" }");
            else
            {
                int k = 0;
                foreach (var piece in pe.EnumerateArray())
                {
                    string pw = $"{where}.pieces[{k++}]";
                    if (piece.ValueKind != JsonValueKind.Object) { p.Add(pw, "a piece is an object { \"bone\", \"path\", \"round\" }"); continue; }
                    Unknown(piece, pw, ["bone", "path", "round"], p);
                    var boneName = Text(piece, "bone", pw, p);
                    if (boneName is not null && !declared.Contains(boneName)) p.Add($"{pw}.bone", $"unknown bone '{boneName}'");
                    var paths = Paths(piece, "path", pw, 3, p);
                    float pr = Number(piece, "round", pw, p, 0f, 0f, 10f);
                    if (boneName is not null && bones.TryGetValue(boneName, out int b) && paths is not null) pieces.Add(new Piece(b, paths, pr));
                }
            }
        }
        return new Drawing(main, null, ink, region, line)
        {
            Round = Number(d, "round", where, p, 0f, 0f, 10f), Clip = clip, Cut = cut, Pieces = pieces, OutlinePen = outlinePen,
        };
    }

    /// <summary>The SVG path data at <paramref name="key"/>, each subpath at least <paramref name="minPoints"/> points; null (and a problem) when it does not parse.</summary>
    static IReadOnlyList<SubPath>? Paths(JsonElement d, string key, string where, int minPoints, Problems p)
    {
        if (!d.TryGetProperty(key, out var el) || el.ValueKind != JsonValueKind.String) { p.Add($"{where}.{key}", "must be a string of SVG path data"); return null; }
        try
        {
            var paths = SvgPath.Parse(el.GetString()!);
            if (paths.Count == 0) { p.Add($"{where}.{key}", "draws nothing (every subpath has a single point)"); return null; }
            if (minPoints >= 3 && paths.Any(s => s.Points.Count < 3)) p.Add($"{where}.{key}", "a closed area needs at least three points per subpath");
            return paths;
        }
        catch (PathSyntaxException e) { p.Add($"{where}.{key}", $"path syntax error: {e.Message}"); return null; }
    }

    /// <summary>
    /// <c>controls</c>: each standard control (<see cref="Pose.ControlNames"/>) → { bone: degrees per unit, "shift": { bone: [x, y] per unit } }.
    /// </summary>
    static Dictionary<string, Control> ReadControls(JsonElement root, HashSet<string> declared, Dictionary<string, int> bones, Problems p)
    {
        var result = new Dictionary<string, Control>(StringComparer.Ordinal);
        if (!root.TryGetProperty("controls", out var obj)) return result;
        if (obj.ValueKind != JsonValueKind.Object) { p.Add("$.controls", "must map control names to { bone: degrees per unit }"); return result; }
        foreach (var c in obj.EnumerateObject())
        {
            string where = $"$.controls.{c.Name}";
            if (!Pose.ControlNames.Contains(c.Name)) { p.Add(where, $"unknown control '{c.Name}' (the controls are {string.Join(", ", Pose.ControlNames)})"); continue; }
            if (c.Value.ValueKind != JsonValueKind.Object) { p.Add(where, "must map bone names to degrees per unit (and \"shift\" to bone shifts)"); continue; }
            var angles = new Dictionary<int, float>();
            var shifts = new Dictionary<int, V2>();
            foreach (var e in c.Value.EnumerateObject())
            {
                if (e.Name == "shift")
                {
                    if (e.Value.ValueKind != JsonValueKind.Object) { p.Add($"{where}.shift", "must map bone names to [x, y] in rig units per unit of the control"); continue; }
                    foreach (var sh in e.Value.EnumerateObject())
                        if (!declared.Contains(sh.Name)) p.Add($"{where}.shift.{sh.Name}", $"unknown bone '{sh.Name}'");
                        else if (sh.Value.ValueKind != JsonValueKind.Array || sh.Value.GetArrayLength() != 2 || !sh.Value[0].TryGetSingle(out var sx) || !sh.Value[1].TryGetSingle(out var sy) || !float.IsFinite(sx) || !float.IsFinite(sy))
                            p.Add($"{where}.shift.{sh.Name}", "must be [x, y] (rig units per unit of the control, in the parent's frame)");
                        else if (bones.TryGetValue(sh.Name, out int b)) shifts[b] = new V2(sx, sy);
                    continue;
                }
                if (!declared.Contains(e.Name)) p.Add($"{where}.{e.Name}", $"unknown bone '{e.Name}'");
                else if (e.Value.ValueKind != JsonValueKind.Number || !e.Value.TryGetSingle(out var k) || !float.IsFinite(k) || Math.Abs(k) > 100) p.Add($"{where}.{e.Name}", "must be degrees per unit of the control, within ±100");
                else if (bones.TryGetValue(e.Name, out int b)) angles[b] = k;
            }
            result[c.Name] = new Control(angles, shifts);
        }
        return result;
    }

    static CutOutPixels? LoadImage(string asset, Func<string, byte[]>? readAsset, string where, Problems p)
    {
        if (readAsset is null) { p.Add(where, $"missing asset '{asset}': no asset reader (the rig was given without its drawings)"); return null; }
        byte[]? bytes;
        try { bytes = readAsset(asset); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or KeyNotFoundException)
        {
            p.Add(where, $"missing asset '{asset}': {e.Message}");
            return null;
        }
        if (bytes is null) { p.Add(where, $"missing asset '{asset}'"); return null; }
        if (bytes.Length > MaxImageBytes) { p.Add(where, $"asset '{asset}' has {bytes.Length} bytes; at most {MaxImageBytes} are allowed"); return null; }
        if (!Cuttura.Titles.LogoImage.IsPng(bytes) || bytes.Length < 24) { p.Add(where, $"asset '{asset}' is not a PNG"); return null; }
        // IHDR's size, read before decoding, so a 30,000 × 30,000 PNG is refused without allocating it.
        long w = (uint)(bytes[16] << 24 | bytes[17] << 16 | bytes[18] << 8 | bytes[19]), h = (uint)(bytes[20] << 24 | bytes[21] << 16 | bytes[22] << 8 | bytes[23]);
        if (w < 1 || h < 1 || w > MaxImageSide || h > MaxImageSide) { p.Add(where, $"asset '{asset}' is {w}x{h} pixels; each side must be 1..{MaxImageSide}"); return null; }
        using var bitmap = SKBitmap.Decode(bytes, new SKImageInfo((int)w, (int)h, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        if (bitmap is null) { p.Add(where, $"asset '{asset}' is a corrupt PNG (Skia cannot decode it)"); return null; }
        var px = bitmap.GetPixelSpan();
        int n = bitmap.Width * bitmap.Height;
        var alpha = new float[n];
        var ink = new float[n];
        for (int k = 0; k < n; k++)
        {
            float a = px[4 * k + 3] / 255f;
            float luma = ColorMath.Luma(px[4 * k] / 255f, px[4 * k + 1] / 255f, px[4 * k + 2] / 255f);
            alpha[k] = a;
            // Dark opaque pixels are the drawn lines: full ink at luma ≤ 0.2, none from 0.45 up.
            ink[k] = a * Math.Clamp((0.45f - luma) / 0.25f, 0f, 1f);
        }
        return new CutOutPixels(bitmap.Width, bitmap.Height, SignedDistance(alpha, bitmap.Width, bitmap.Height), ink);
    }

    static List<IkChain> ReadIk(JsonElement root, List<Bone> bones, HashSet<string> declared, Dictionary<string, int> index, Problems p)
    {
        var result = new List<IkChain>();
        if (!root.TryGetProperty("ik", out var arr)) return result;
        if (arr.ValueKind != JsonValueKind.Array) { p.Add("$.ik", "must be an array of two-bone chains"); return result; }
        int i = 0;
        foreach (var c in arr.EnumerateArray())
        {
            string where = $"$.ik[{i++}]";
            if (c.ValueKind != JsonValueKind.Object) { p.Add(where, "an IK chain is an object"); continue; }
            Unknown(c, where, ["name", "upper", "lower", "bend"], p);
            string? name = Text(c, "name", where, p), upper = Text(c, "upper", where, p), lower = Text(c, "lower", where, p);
            float bend = Number(c, "bend", where, p, 1f, -1f, 1f);
            if (bend is not (1f or -1f)) p.Add($"{where}.bend", "must be 1 or -1");
            if (name is null || upper is null || lower is null) continue;
            // (a declared bone missing from the index is one whose own problem is already listed)
            bool knownUpper = index.TryGetValue(upper, out int u), knownLower = index.TryGetValue(lower, out int l);
            if (!declared.Contains(upper)) p.Add($"{where}.upper", $"unknown bone '{upper}'");
            if (!declared.Contains(lower)) p.Add($"{where}.lower", $"unknown bone '{lower}'");
            if (!knownUpper || !knownLower) continue;
            if (bones.Count > l && bones[l].Parent != u) p.Add($"{where}.lower", $"bone '{lower}' is not a child of '{upper}'");
            else if (bones[u].Length <= 0 || bones[l].Length <= 0) p.Add(where, "both bones of an IK chain need a length > 0");
            else if (result.Any(r => r.Name == name)) p.Add($"{where}.name", $"IK chain '{name}' is defined twice");
            else result.Add(new IkChain(name, u, l, (int)bend));
        }
        return result;
    }

    static Gait? ReadGait(JsonElement root, List<IkChain> ik, Problems p)
    {
        if (!root.TryGetProperty("gait", out var g)) return null;
        const string where = "$.gait";
        if (g.ValueKind != JsonValueKind.Object) { p.Add(where, "must be an object"); return null; }
        Unknown(g, where, ["poses", "stride", "duty", "step", "legs"], p);
        var poses = new List<string>();
        if (g.TryGetProperty("poses", out var pe) && pe.ValueKind == JsonValueKind.Array && pe.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
            poses.AddRange(pe.EnumerateArray().Select(e => e.GetString()!));
        else p.Add($"{where}.poses", "must be an array of the pose names that step (e.g. [\"walk\", \"run\"])");
        float stride = Number(g, "stride", where, p, 0.3f, 0.001f, 10f), duty = Number(g, "duty", where, p, 0.6f, 0.05f, 0.95f), step = Number(g, "step", where, p, 0.03f, 0f, 10f);
        var legs = new List<(int, float)>();
        if (!g.TryGetProperty("legs", out var le) || le.ValueKind != JsonValueKind.Object || !le.EnumerateObject().Any()) p.Add($"{where}.legs", "must map IK chain names to phases in [0, 1)");
        else
            foreach (var l in le.EnumerateObject())
            {
                int chain = ik.FindIndex(c => c.Name == l.Name);
                if (chain < 0) p.Add($"{where}.legs.{l.Name}", $"unknown IK chain '{l.Name}'");
                else if (l.Value.ValueKind != JsonValueKind.Number || !l.Value.TryGetSingle(out var ph) || ph < 0 || ph >= 1) p.Add($"{where}.legs.{l.Name}", "phase must be a number in [0, 1)");
                else legs.Add((chain, ph));
            }
        return new Gait(poses, stride, duty, step, legs);
    }

    /// <summary>
    /// Each stepping leg must reach its planted foot at both ends of the planted stretch (rest tip ± duty·stride/2) in
    /// each gait pose, or the foot would lift and slide: a problem at <c>$.gait.stride</c> naming the leg and pose.
    /// </summary>
    static void CheckReach(RigBody body, Gait gait, Problems p)
    {
        foreach (var name in gait.Poses.Where(body.Poses.ContainsKey))
        {
            var posed = RigArt.Pose(body, new Pose { Bones = body.Poses[name].Bones }, 0f);
            foreach (var (chain, _) in gait.Legs)
            {
                var c = body.Ik[chain];
                var hip = posed.Origin[c.Upper];
                var tip = posed.Tip[c.Lower];
                float reach = body.Bones[c.Lower].Start.X + body.Bones[c.Lower].Length, half = gait.Duty * gait.Stride / 2;
                foreach (float dx in new[] { -half, half })
                {
                    float x = tip.X + dx - hip.X, y = tip.Y - hip.Y, d = MathF.Sqrt(x * x + y * y);
                    if (d > reach - 1e-4f)
                    {
                        p.Add("$.gait.stride", $"in pose '{name}' leg '{c.Name}' cannot reach its planted foot {dx:+0.###;-0.###} from rest ({d:0.###} from the hip, the leg is {reach:0.###} long): shorten the stride or bend the leg at rest");
                        break;
                    }
                }
            }
        }
    }

    static Dictionary<string, BodyPose> ReadPoses(JsonElement root, string key, HashSet<string> bones, List<RigPart> parts, Problems p)
    {
        var result = new Dictionary<string, BodyPose>(StringComparer.Ordinal);
        if (!root.TryGetProperty(key, out var obj)) return result;
        if (obj.ValueKind != JsonValueKind.Object) { p.Add($"$.{key}", "must be an object of name → pose"); return result; }
        foreach (var e in obj.EnumerateObject())
        {
            string where = $"$.{key}.{e.Name}";
            if (e.Value.ValueKind != JsonValueKind.Object) { p.Add(where, "must be an object"); continue; }
            Unknown(e.Value, where, PoseFields, p);
            var angles = new Dictionary<string, float>(StringComparer.Ordinal);
            if (e.Value.TryGetProperty("bones", out var b))
            {
                if (b.ValueKind != JsonValueKind.Object) p.Add($"{where}.bones", "must map bone names to angles in degrees");
                else
                    foreach (var a in b.EnumerateObject())
                        if (!bones.Contains(a.Name)) p.Add($"{where}.bones.{a.Name}", $"unknown bone '{a.Name}'");
                        else if (a.Value.ValueKind != JsonValueKind.Number || !a.Value.TryGetSingle(out var deg) || !float.IsFinite(deg) || Math.Abs(deg) > 720) p.Add($"{where}.bones.{a.Name}", "must be an angle in degrees within ±720");
                        else angles[a.Name] = deg;
            }
            var drawings = new Dictionary<string, string>(StringComparer.Ordinal);
            if (e.Value.TryGetProperty("drawings", out var d))
            {
                if (d.ValueKind != JsonValueKind.Object) p.Add($"{where}.drawings", "must map slot names to drawing names");
                else
                    foreach (var s in d.EnumerateObject())
                    {
                        var slotParts = parts.Where(x => x.Slot == s.Name).ToList();
                        string? drawing = s.Value.ValueKind == JsonValueKind.String ? s.Value.GetString() : null;
                        if (slotParts.Count == 0) p.Add($"{where}.drawings.{s.Name}", $"unknown slot '{s.Name}'");
                        else if (drawing is null) p.Add($"{where}.drawings.{s.Name}", "must be a drawing name");
                        else if (slotParts.FirstOrDefault(x => !x.Drawings.ContainsKey(drawing)) is { } lacking) p.Add($"{where}.drawings.{s.Name}", $"part '{lacking.Name}' has no drawing '{drawing}'");
                        else drawings[s.Name] = drawing;
                    }
            }
            result[e.Name] = new BodyPose(angles, Number(e.Value, "lift", where, p, 0f, -10f, 10f), drawings);
        }
        return result;
    }

    static bool Bad(Problems p, string where, string message)
    {
        p.Add(where, message);
        return false;
    }

    static void Unknown(JsonElement obj, string where, string[] known, Problems p)
    {
        foreach (var f in obj.EnumerateObject())
            if (!known.Contains(f.Name)) p.Add($"{where}.{f.Name}", $"unknown field (known: {string.Join(", ", known)})");
    }

    static string? Text(JsonElement obj, string key, string where, Problems p)
    {
        if (obj.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 and <= 200 } s) return s;
        p.Add($"{where}.{key}", "must be a non-empty string of at most 200 characters");
        return null;
    }

    static float Number(JsonElement obj, string key, string where, Problems p, float fallback, float min, float max)
    {
        if (!obj.TryGetProperty(key, out var v)) return fallback;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetSingle(out var f) && float.IsFinite(f) && f >= min && f <= max) return f;
        p.Add($"{where}.{key}", $"must be a number in [{min}, {max}]");
        return fallback;
    }
}
