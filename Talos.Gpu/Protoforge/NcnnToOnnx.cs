using System.Buffers.Binary;
using System.Globalization;

namespace Talos.Gpu.Protoforge;

/// <summary>
/// Converts an ncnn network (the text <c>.param</c> layer list and the binary <c>.bin</c> weights) to an ONNX model,
/// layer by layer, with the weights read from the .bin in layer order. It knows the layers RIFE's and Real-CUGAN's ncnn
/// models use: Input, Split, Concat, Interp (bilinear), Convolution (with its fused activation), Deconvolution,
/// PixelShuffle, Crop (the starts/ends/axes form), BinaryOp, Eltwise, ReLU, Sigmoid, global Pooling and InnerProduct on
/// its vector (Real-CUGAN's squeeze-and-excitation blocks), and rife-ncnn-vulkan's custom <c>rife.Warp</c>
/// (backward warping by a flow field, bilinear, edges clamped), which becomes ONNX GridSample (opset 16, bilinear,
/// border padding, corners aligned) on a sampling grid built from the flow inside the graph. Any other layer, or an
/// option of these the conversion does not reproduce exactly, is refused by name. ncnn blobs are [C, H, W]; the ONNX
/// tensors are [1, C, H, W], so an ncnn axis a is ONNX axis a + 1. The output bytes depend only on the inputs.
/// </summary>
public static class NcnnToOnnx
{
    public const int Opset = 16;
    const uint Fp16Tag = 0x01306B47;

    sealed record Layer(string Type, string Name, string[] Bottoms, string[] Tops, Dictionary<int, string> Params, int Line)
    {
        public int Int(int id, int fallback) => Params.TryGetValue(id, out var v) ? (int)double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        public float Float(int id, float fallback) => Params.TryGetValue(id, out var v) ? float.Parse(v, CultureInfo.InvariantCulture) : fallback;
        public float[] Floats(int id) => Params.TryGetValue(-23300 - id, out var v)
            ? v.Split(',').Skip(1).Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray() : [];
        public long[] Ints(int id) => Floats(id).Select(f => (long)f).ToArray();
    }

    /// <summary>
    /// The ONNX model for the ncnn network. <paramref name="inputs"/> gives each Input blob's ONNX shape (fixed sizes
    /// as longs, named dims as strings); <paramref name="outputs"/> names the blobs the model returns, with their shapes.
    /// </summary>
    public static byte[] Convert(string param, byte[] bin, IReadOnlyDictionary<string, object[]> inputs,
        IReadOnlyDictionary<string, object[]> outputs, string graphName, string docString)
    {
        var layers = Parse(param);
        var g = new OnnxGraph(graphName);
        var alias = new Dictionary<string, string>();
        string Blob(string b) => alias.TryGetValue(b, out var a) ? a : b;
        int pos = 0;

        float[] ReadWeights(Layer l, int count)
        {
            if (pos + 4 > bin.Length) throw Fail(l, "the .bin ends before its weights");
            uint tag = BinaryPrimitives.ReadUInt32LittleEndian(bin.AsSpan(pos));
            pos += 4;
            var w = new float[count];
            if (tag == Fp16Tag)
            {
                if (pos + count * 2 > bin.Length) throw Fail(l, "the .bin ends inside its fp16 weights");
                for (int i = 0; i < count; i++) w[i] = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(bin.AsSpan(pos + 2 * i)));
                pos += (count * 2 + 3) / 4 * 4;
            }
            else if (tag == 0)
                ReadRaw(w);
            else throw Fail(l, $"weights stored with tag 0x{tag:x8} (only fp16 and fp32 are converted)");
            return w;

            void ReadRaw(float[] into)
            {
                if (pos + into.Length * 4 > bin.Length) throw Fail(l, "the .bin ends inside its fp32 weights");
                for (int i = 0; i < into.Length; i++) into[i] = BinaryPrimitives.ReadSingleLittleEndian(bin.AsSpan(pos + 4 * i));
                pos += into.Length * 4;
            }
        }

        float[] ReadRawFloats(Layer l, int count)
        {
            if (pos + count * 4 > bin.Length) throw Fail(l, "the .bin ends inside its bias");
            var w = new float[count];
            for (int i = 0; i < count; i++) w[i] = BinaryPrimitives.ReadSingleLittleEndian(bin.AsSpan(pos + 4 * i));
            pos += count * 4;
            return w;
        }

        string Scalar(float v) => g.Floats("talos.c", [v], 1);
        var vectors = new HashSet<string>(); // blobs that are ncnn vectors [C] (after a global pooling), [1, C, 1, 1] here

        // a layer's fused activation (ncnn's activation_type and activation_params), from its result to its top
        void Activate(Layer l, int act, string result, string top)
        {
            var ap = l.Floats(10);
            switch (act)
            {
                case 0: break;
                case 1: g.Node("Relu", [result], top); break;
                case 2: g.Node("LeakyRelu", [result], top, ("alpha", ap.Length > 0 ? ap[0] : 0f)); break;
                case 4: g.Node("Sigmoid", [result], top); break;
                default: throw Fail(l, $"fused activation {act} (only none, ReLU, leaky ReLU, sigmoid)");
            }
        }
        string Axis(Layer l, long a) => a is >= 0 and < 3 ? "" : throw Fail(l, $"axis {a} (only 0..2 of a [C, H, W] blob)");

        foreach (var l in layers)
        {
            string In(int i) => Blob(l.Bottoms[i]);
            string Top = l.Tops.Length > 0 ? l.Tops[0] : "";
            void Arity(int bottoms, int tops = 1)
            {
                if (l.Bottoms.Length != bottoms || l.Tops.Length != tops) throw Fail(l, $"{l.Bottoms.Length} inputs and {l.Tops.Length} outputs; expected {bottoms} and {tops}");
            }
            switch (l.Type)
            {
                case "Input":
                    Arity(0);
                    if (!inputs.TryGetValue(Top, out var shape)) throw Fail(l, $"an input '{Top}' with no shape given");
                    g.Input(Top, shape);
                    break;
                case "Split":
                    foreach (var t in l.Tops) alias[t] = In(0);
                    break;
                case "Concat":
                    {
                        int axis = l.Int(0, 0);
                        Axis(l, axis);
                        g.Node("Concat", l.Bottoms.Select(Blob).ToArray(), Top, ("axis", (long)axis + 1));
                        break;
                    }
                case "Interp":
                    {
                        Arity(1);
                        if (l.Int(0, 0) != 2) throw Fail(l, $"resize type {l.Int(0, 0)} (only 2, bilinear)");
                        if (l.Int(3, 0) != 0 || l.Int(4, 0) != 0 || l.Params.ContainsKey(5)) throw Fail(l, "an output size (only scale factors are converted)");
                        if (l.Int(6, 0) != 0) throw Fail(l, "align_corner=1 (only 0)");
                        float hs = l.Float(1, 1f), ws = l.Float(2, 1f);
                        var scales = g.Floats("talos.scales", [1f, 1f, hs, ws], 4);
                        g.Node("Resize", [In(0), "", scales], Top, ("mode", "linear"), ("coordinate_transformation_mode", "half_pixel"));
                        break;
                    }
                case "Convolution":
                case "Deconvolution":
                    {
                        Arity(1);
                        bool deconv = l.Type == "Deconvolution";
                        int outCh = l.Int(0, 0), kw = l.Int(1, 0), kh = l.Int(11, kw), dw = l.Int(2, 1), dh = l.Int(12, dw),
                            sw = l.Int(3, 1), sh = l.Int(13, sw), pl = l.Int(4, 0), pr = l.Int(15, pl), pt = l.Int(14, pl),
                            pb = l.Int(16, pt), bias = l.Int(5, 0), size = l.Int(6, 0), act = l.Int(9, 0);
                        if (pl < 0 || pr < 0 || pt < 0 || pb < 0) throw Fail(l, "automatic (SAME) padding");
                        if (l.Int(8, 0) != 0) throw Fail(l, "int8 weights");
                        if (l.Float(18, 0f) != 0f && !deconv) throw Fail(l, "a non-zero pad value");
                        if (deconv && (l.Int(18, 0) != 0 || l.Int(19, 0) != 0 || l.Int(20, 0) != 0 || l.Int(21, 0) != 0)) throw Fail(l, "output padding or size");
                        if (l.Int(7, 1) != 1) throw Fail(l, "groups (only 1)");
                        if (outCh <= 0 || kw <= 0 || size % (outCh * kw * kh) != 0) throw Fail(l, $"weight_data_size {size} that is not outputs × inputs × kernel");
                        int inCh = size / (outCh * kw * kh);
                        var w = ReadWeights(l, size);
                        var b = bias != 0 ? ReadRawFloats(l, outCh) : null;
                        string wName;
                        if (!deconv) wName = g.Floats("talos.w", w, outCh, inCh, kh, kw);
                        else
                        {
                            // ncnn keeps a deconvolution's weights [out][in][kh][kw]; ONNX ConvTranspose wants [in][out][kh][kw].
                            var t = new float[w.Length];
                            int k = kh * kw;
                            for (int o = 0; o < outCh; o++)
                                for (int i = 0; i < inCh; i++)
                                    Array.Copy(w, (o * inCh + i) * k, t, (i * outCh + o) * k, k);
                            wName = g.Floats("talos.w", t, inCh, outCh, kh, kw);
                        }
                        var ins = b is null ? new[] { In(0), wName } : [In(0), wName, g.Floats("talos.b", b, outCh)];
                        var convOut = act == 0 ? Top : g.Fresh("talos.conv");
                        g.Node(deconv ? "ConvTranspose" : "Conv", ins, convOut,
                            ("kernel_shape", new long[] { kh, kw }), ("strides", new long[] { sh, sw }),
                            ("dilations", new long[] { dh, dw }), ("pads", new long[] { pt, pl, pb, pr }), ("group", 1L));
                        Activate(l, act, convOut, Top);
                        break;
                    }
                case "Pooling":
                    {
                        Arity(1);
                        int type = l.Int(0, 0);
                        if (l.Int(4, 0) != 1) throw Fail(l, "a windowed pooling (only global pooling is converted)");
                        if (type is not (0 or 1)) throw Fail(l, $"pooling type {type} (only 0, max, and 1, average)");
                        // ncnn's result is a vector [C]; here it stays [1, C, 1, 1], which broadcasts over [1, C, H, W] as ncnn's vector does per channel
                        g.Node(type == 0 ? "GlobalMaxPool" : "GlobalAveragePool", [In(0)], Top);
                        vectors.Add(Top);
                        break;
                    }
                case "InnerProduct":
                    {
                        Arity(1);
                        if (!vectors.Contains(In(0))) throw Fail(l, "an input that is not a global pooling's vector (only those are converted)");
                        int outCh = l.Int(0, 0), bias = l.Int(1, 0), size = l.Int(2, 0), act = l.Int(9, 0);
                        if (l.Int(8, 0) != 0) throw Fail(l, "int8 weights");
                        if (outCh <= 0 || size % outCh != 0) throw Fail(l, $"weight_data_size {size} that is not outputs × inputs");
                        int inCh = size / outCh;
                        var w = ReadWeights(l, size);
                        var b = bias != 0 ? ReadRawFloats(l, outCh) : null;
                        // a fully connected layer on a [1, C, 1, 1] vector is a 1 × 1 convolution with the same weights [out][in]
                        var wName = g.Floats("talos.w", w, outCh, inCh, 1, 1);
                        var ins = b is null ? new[] { In(0), wName } : [In(0), wName, g.Floats("talos.b", b, outCh)];
                        var fcOut = act == 0 ? Top : g.Fresh("talos.fc");
                        g.Node("Conv", ins, fcOut, ("kernel_shape", new long[] { 1, 1 }));
                        Activate(l, act, fcOut, Top);
                        vectors.Add(Top);
                        break;
                    }
                case "PixelShuffle":
                    Arity(1);
                    g.Node("DepthToSpace", [In(0)], Top, ("blocksize", (long)l.Int(0, 1)), ("mode", l.Int(1, 0) == 0 ? "CRD" : "DCR"));
                    break;
                case "Crop":
                    {
                        Arity(1);
                        long[] starts = l.Ints(9), ends = l.Ints(10), axes = l.Ints(11);
                        if (starts.Length == 0 || starts.Length != ends.Length || starts.Length != axes.Length)
                            throw Fail(l, "a crop not given as starts, ends and axes");
                        axes = axes.Select(a => a < 0 ? a + 3 : a).ToArray();
                        foreach (var a in axes) Axis(l, a);
                        ends = ends.Select(e => e == -233 ? long.MaxValue : e).ToArray();
                        g.Node("Slice", [In(0), g.Int64s("talos.starts", starts, starts.Length), g.Int64s("talos.ends", ends, ends.Length),
                            g.Int64s("talos.axes", axes.Select(a => a + 1).ToArray(), axes.Length)], Top);
                        break;
                    }
                case "BinaryOp":
                    {
                        int op = l.Int(0, 0);
                        bool withScalar = l.Int(1, 0) != 0;
                        Arity(withScalar ? 1 : 2);
                        string a = In(0), b = withScalar ? Scalar(l.Float(2, 0f)) : In(1);
                        if (op is 7 or 8) (a, b) = (b, a);
                        string name = op switch
                        {
                            0 => "Add", 1 or 7 => "Sub", 2 => "Mul", 3 or 8 => "Div", 4 => "Max", 5 => "Min", 6 => "Pow",
                            _ => throw Fail(l, $"operation {op}"),
                        };
                        g.Node(name, [a, b], Top);
                        break;
                    }
                case "Eltwise":
                    {
                        Arity(l.Bottoms.Length);
                        int op = l.Int(0, 1);
                        var coeffs = l.Floats(1);
                        if (op != 1) throw Fail(l, $"operation {op} (only 1, sum)");
                        if (coeffs.Length != 0 && coeffs.Length != l.Bottoms.Length) throw Fail(l, "coefficients that do not match its inputs");
                        string? sum = null;
                        for (int i = 0; i < l.Bottoms.Length; i++)
                        {
                            var term = coeffs.Length == 0 || coeffs[i] == 1f ? In(i) : g.Node("Mul", [In(i), Scalar(coeffs[i])]);
                            sum = sum is null ? term : g.Node("Add", [sum, term], i == l.Bottoms.Length - 1 ? Top : null);
                        }
                        if (l.Bottoms.Length == 1) g.Node("Identity", [sum!], Top);
                        break;
                    }
                case "ReLU":
                    {
                        Arity(1);
                        float slope = l.Float(0, 0f);
                        if (slope == 0f) g.Node("Relu", [In(0)], Top);
                        else g.Node("LeakyRelu", [In(0)], Top, ("alpha", slope));
                        break;
                    }
                case "Sigmoid":
                    Arity(1);
                    g.Node("Sigmoid", [In(0)], Top);
                    break;
                case "rife.Warp":
                    Arity(2);
                    Warp(g, In(0), In(1), Top);
                    break;
                default:
                    throw Fail(l, "a layer type the conversion does not know");
            }
        }
        if (pos != bin.Length) throw new ProtoforgeException($"ncnn model: the .bin holds {bin.Length} bytes; the layers read {pos}");
        foreach (var (name, shape) in outputs)
        {
            if (Blob(name) != name) g.Node("Identity", [Blob(name)], name);
            g.Output(name, shape);
        }
        return g.ToModel(Opset, "talos", "1", docString);
    }

    /// <summary>
    /// rife.Warp: out(x, y) = image sampled bilinearly at (x + flow₀, y + flow₁), coordinates clamped to the image.
    /// That is GridSample with corners aligned and border padding on the grid ((x + fx)·2/(W−1) − 1, (y + fy)·2/(H−1) − 1).
    /// </summary>
    static void Warp(OnnxGraph g, string image, string flow, string output)
    {
        var shape = g.Node("Shape", [image]);
        string Dim(int i) => g.Node("Cast", [g.Node("Gather", [shape, g.Int64s("talos.i", [i])], null, ("axis", 0L))], null, ("to", (long)OnnxGraph.FloatType));
        string hf = Dim(2), wf = Dim(3);
        string zero = g.Floats("talos.zero", [0f]), one = g.Floats("talos.one", [1f]), two = g.Floats("talos.two", [2f]);
        string Coordinate(string size, long[] shapeOf, int channel)
        {
            var steps = g.Node("Reshape", [g.Node("Range", [zero, size, one]), g.Int64s("talos.shape", shapeOf, 4)]);
            var scale = g.Node("Div", [two, g.Node("Sub", [size, one])]);
            var f = g.Node("Slice", [flow, g.Int64s("talos.starts", [channel], 1), g.Int64s("talos.ends", [channel + 1], 1), g.Int64s("talos.axes", [1], 1)]);
            return g.Node("Sub", [g.Node("Mul", [g.Node("Add", [f, steps]), scale]), one]);
        }
        var gx = Coordinate(wf, [1, 1, 1, -1], 0);
        var gy = Coordinate(hf, [1, 1, -1, 1], 1);
        var grid = g.Node("Transpose", [g.Node("Concat", [gx, gy], null, ("axis", 1L))], null, ("perm", new long[] { 0, 2, 3, 1 }));
        g.Node("GridSample", [image, grid], output, ("mode", "bilinear"), ("padding_mode", "border"), ("align_corners", 1L));
    }

    static List<Layer> Parse(string param)
    {
        var lines = param.Split('\n').Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();
        if (lines.Length < 2 || lines[0] != "7767517") throw new ProtoforgeException("ncnn model: the .param does not start with the magic 7767517");
        var counts = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (counts.Length != 2 || !int.TryParse(counts[0], out int layerCount)) throw new ProtoforgeException("ncnn model: the .param's second line is not 'layers blobs'");
        if (lines.Length - 2 != layerCount) throw new ProtoforgeException($"ncnn model: the .param announces {layerCount} layers and lists {lines.Length - 2}");
        var layers = new List<Layer>();
        for (int n = 2; n < lines.Length; n++)
        {
            var f = lines[n].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 4 || !int.TryParse(f[2], out int nb) || !int.TryParse(f[3], out int nt) || f.Length < 4 + nb + nt)
                throw new ProtoforgeException($"ncnn model: .param line {n + 1} is not 'type name bottoms tops …'");
            var ps = new Dictionary<int, string>();
            foreach (var kv in f.Skip(4 + nb + nt))
            {
                int eq = kv.IndexOf('=');
                if (eq < 0 || !int.TryParse(kv[..eq], out int id)) throw new ProtoforgeException($"ncnn model: .param line {n + 1}: '{kv}' is not id=value");
                ps[id] = kv[(eq + 1)..];
            }
            layers.Add(new Layer(f[0], f[1], f[4..(4 + nb)], f[(4 + nb)..(4 + nb + nt)], ps, n + 1));
        }
        return layers;
    }

    static ProtoforgeException Fail(Layer l, string what) =>
        new($"ncnn model: layer {l.Name} ({l.Type}, .param line {l.Line}) has {what}: not converted");
}
