using System.Globalization;

namespace Talos.Gpu.Axis.Rigging;

/// <summary>One subpath of a parsed path: its points after flattening curves and arcs, and whether Z closed it.</summary>
public sealed record SubPath(IReadOnlyList<V2> Points, bool Closed);

/// <summary>A path-data syntax error: what is wrong and the character offset in the path string where it was found.</summary>
public sealed class PathSyntaxException(string message, int offset) : ArgumentException($"{message} at offset {offset}")
{
    public int Offset { get; } = offset;
}

/// <summary>
/// SVG path data (SVG 1.1 §8.3 / SVG 2): the commands M L H V C S Q T A Z and their lowercase relative forms, implicit
/// repeats (extra pairs after M are L), S/T reflecting the previous control point, greedy number lexing
/// (<c>1.5.5</c> is 1.5 then .5, <c>100-200</c> is 100 then −200), one-character arc flags, and arcs converted from
/// endpoint to centre form (F.6.5). Curves and arcs are flattened to <see cref="CurveSegments"/> line segments each
/// (<see cref="ArcSegmentsPerTurn"/> per full turn for arcs), so the same string always gives the same points.
/// Limits: <see cref="MaxLength"/> characters and <see cref="MaxCommands"/> commands (each repeat counts); past either
/// the parse stops with one error naming the limit.
/// </summary>
public static class SvgPath
{
    public const int MaxLength = 200_000;
    public const int MaxCommands = 20_000;
    public const int CurveSegments = 16;
    public const int ArcSegmentsPerTurn = 64;

    /// <summary>Parses and flattens <paramref name="data"/>; a syntax error throws <see cref="PathSyntaxException"/> with its offset.</summary>
    public static IReadOnlyList<SubPath> Parse(string data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length > MaxLength) throw new PathSyntaxException($"path data has {data.Length} characters; at most {MaxLength} are allowed", MaxLength);
        var lexer = new Lexer(data);
        var paths = new List<SubPath>();
        List<V2>? current = null;
        V2 pen = default, start = default, lastControl = default;
        char lastCommand = ' ';
        int commands = 0;
        char command = ' ';
        lexer.SkipSeparators();
        if (lexer.AtEnd) throw new PathSyntaxException("path data is empty", 0);
        while (true)
        {
            lexer.SkipSeparators();
            if (lexer.AtEnd) break;
            int at = lexer.Position;
            if (lexer.TryCommand(out char c)) command = c;
            else if (command == ' ') throw new PathSyntaxException($"path data must start with M or m, not '{data[at]}'", at);
            else if (command is 'Z' or 'z') throw new PathSyntaxException($"expected a command letter after Z, found '{data[at]}'", at);
            else if (!lexer.AtNumber) throw new PathSyntaxException($"unexpected '{data[at]}'", at);
            // (a number after a command repeats it; after M it is an implicit L)
            if (++commands > MaxCommands) throw new PathSyntaxException($"path has more than {MaxCommands} commands", at);
            if (commands == 1 && command is not ('M' or 'm')) throw new PathSyntaxException($"path data must start with M or m, not '{command}'", at);
            if (current is null && command is not ('M' or 'm' or 'Z' or 'z')) current = [pen]; // after Z: a new subpath at the start point
            bool rel = char.IsLower(command);
            V2 Rel(V2 p) => rel ? pen + p : p;
            switch (char.ToUpperInvariant(command))
            {
                case 'M':
                {
                    var p = Rel(lexer.Pair());
                    Flush(paths, ref current, false);
                    current = [p];
                    pen = start = p;
                    command = rel ? 'l' : 'L'; // further pairs are line-tos
                    lastCommand = 'M';
                    lastControl = pen;
                    continue;
                }
                case 'L': pen = Rel(lexer.Pair()); current!.Add(pen); break;
                case 'H': pen = new V2(rel ? pen.X + lexer.Number() : lexer.Number(), pen.Y); current!.Add(pen); break;
                case 'V': pen = new V2(pen.X, rel ? pen.Y + lexer.Number() : lexer.Number()); current!.Add(pen); break;
                case 'C':
                case 'S':
                {
                    V2 c1 = char.ToUpperInvariant(command) == 'C' ? Rel(lexer.Pair())
                        : lastCommand is 'C' or 'S' ? pen + (pen - lastControl) : pen;
                    var c2 = Rel(lexer.Pair());
                    var end = Rel(lexer.Pair());
                    for (int i = 1; i <= CurveSegments; i++)
                    {
                        float t = i / (float)CurveSegments, u = 1 - t;
                        current!.Add(pen * (u * u * u) + c1 * (3 * u * u * t) + c2 * (3 * u * t * t) + end * (t * t * t));
                    }
                    lastControl = c2;
                    pen = end;
                    lastCommand = char.ToUpperInvariant(command);
                    continue;
                }
                case 'Q':
                case 'T':
                {
                    V2 q = char.ToUpperInvariant(command) == 'Q' ? Rel(lexer.Pair())
                        : lastCommand is 'Q' or 'T' ? pen + (pen - lastControl) : pen;
                    var end = Rel(lexer.Pair());
                    for (int i = 1; i <= CurveSegments; i++)
                    {
                        float t = i / (float)CurveSegments, u = 1 - t;
                        current!.Add(pen * (u * u) + q * (2 * u * t) + end * (t * t));
                    }
                    lastControl = q;
                    pen = end;
                    lastCommand = char.ToUpperInvariant(command);
                    continue;
                }
                case 'A':
                {
                    float rx = lexer.Number(), ry = lexer.Number(), rot = lexer.Number();
                    bool large = lexer.Flag(), sweep = lexer.Flag();
                    var end = Rel(lexer.Pair());
                    Arc(current!, pen, end, rx, ry, rot, large, sweep);
                    pen = end;
                    break;
                }
                case 'Z':
                    Flush(paths, ref current, true);
                    pen = start;
                    current = null;
                    lastCommand = 'Z';
                    lastControl = pen;
                    continue;
            }
            lastCommand = char.ToUpperInvariant(command);
            lastControl = pen;
        }
        Flush(paths, ref current, false);
        return paths;
    }

    static void Flush(List<SubPath> paths, ref List<V2>? current, bool closed)
    {
        if (current is { Count: > 1 }) paths.Add(new SubPath(current, closed));
        current = null;
    }

    /// <summary>Appends the arc from <paramref name="p1"/> to <paramref name="p2"/> (SVG implementation notes F.6.5–F.6.6).</summary>
    static void Arc(List<V2> into, V2 p1, V2 p2, float rx, float ry, float rotationDeg, bool large, bool sweep)
    {
        if (p1 == p2) return;
        rx = MathF.Abs(rx); ry = MathF.Abs(ry);
        if (rx == 0 || ry == 0) { into.Add(p2); return; }
        double phi = rotationDeg * Math.PI / 180, cos = Math.Cos(phi), sin = Math.Sin(phi);
        double dx = (p1.X - p2.X) / 2.0, dy = (p1.Y - p2.Y) / 2.0;
        double x1 = cos * dx + sin * dy, y1 = -sin * dx + cos * dy;
        double rxs = rx, rys = ry;
        double lambda = x1 * x1 / (rxs * rxs) + y1 * y1 / (rys * rys);
        if (lambda > 1) { double s = Math.Sqrt(lambda); rxs *= s; rys *= s; }
        double num = rxs * rxs * rys * rys - rxs * rxs * y1 * y1 - rys * rys * x1 * x1;
        double den = rxs * rxs * y1 * y1 + rys * rys * x1 * x1;
        double k = Math.Sqrt(Math.Max(0, num / den)) * (large == sweep ? -1 : 1);
        double cxp = k * rxs * y1 / rys, cyp = -k * rys * x1 / rxs;
        double cx = cos * cxp - sin * cyp + (p1.X + p2.X) / 2.0, cy = sin * cxp + cos * cyp + (p1.Y + p2.Y) / 2.0;
        double ux = (x1 - cxp) / rxs, uy = (y1 - cyp) / rys, vx = (-x1 - cxp) / rxs, vy = (-y1 - cyp) / rys;
        double theta1 = Math.Atan2(uy, ux);
        double delta = Math.Atan2(ux * vy - uy * vx, ux * vx + uy * vy);
        if (!sweep && delta > 0) delta -= 2 * Math.PI;
        else if (sweep && delta < 0) delta += 2 * Math.PI;
        int n = Math.Max(2, (int)Math.Ceiling(Math.Abs(delta) / (2 * Math.PI) * ArcSegmentsPerTurn));
        for (int i = 1; i < n; i++)
        {
            double t = theta1 + delta * i / n;
            double ex = rxs * Math.Cos(t), ey = rys * Math.Sin(t);
            into.Add(new V2((float)(cos * ex - sin * ey + cx), (float)(sin * ex + cos * ey + cy)));
        }
        into.Add(p2);
    }

    sealed class Lexer(string s)
    {
        int i;
        public int Position => i;
        public bool AtEnd => i >= s.Length;
        public bool AtNumber => i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] is '+' or '-' or '.');

        public void SkipSeparators()
        {
            while (i < s.Length && (s[i] is ' ' or '\t' or '\n' or '\r' or '\f' or ',')) i++;
        }

        public bool TryCommand(out char c)
        {
            c = i < s.Length ? s[i] : ' ';
            if ("MmLlHhVvCcSsQqTtAaZz".Contains(c) && c != ' ') { i++; return true; }
            return false;
        }

        public V2 Pair() => new(Number(), Number());

        public bool Flag()
        {
            SkipSeparators();
            if (i < s.Length && s[i] is '0' or '1') return s[i++] == '1';
            throw new PathSyntaxException(i < s.Length ? $"expected an arc flag 0 or 1, found '{s[i]}'" : "expected an arc flag 0 or 1, found the end", i);
        }

        public float Number()
        {
            SkipSeparators();
            int start = i;
            if (i < s.Length && s[i] is '+' or '-') i++;
            int digits = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i])) { i++; digits++; }
            if (i < s.Length && s[i] == '.') { i++; while (i < s.Length && char.IsAsciiDigit(s[i])) { i++; digits++; } }
            if (digits == 0)
            {
                i = start;
                throw new PathSyntaxException(start < s.Length ? $"expected a number, found '{s[start]}'" : "expected a number, found the end", start);
            }
            if (i < s.Length && s[i] is 'e' or 'E')
            {
                int e = i++;
                if (i < s.Length && s[i] is '+' or '-') i++;
                int ed = 0;
                while (i < s.Length && char.IsAsciiDigit(s[i])) { i++; ed++; }
                if (ed == 0) i = e;
            }
            var value = float.Parse(s.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture);
            if (!float.IsFinite(value)) throw new PathSyntaxException("number is out of range", start);
            return value;
        }
    }
}
