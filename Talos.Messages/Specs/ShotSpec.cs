using System.Text.Json.Serialization;

namespace Talos.Messages.Specs;

/// <summary>
/// A shot as studio pipelines push it (JSON, camelCase; schema in docs/shot-spec.schema.json).
/// Immutable; crosses the wire inside SubmitShot. Frames are numbered from 0 within the shot.
/// </summary>
public sealed record ShotSpec
{
    public required string Id { get; init; }
    public string Production { get; init; } = "default";
    /// <summary>Order of the shot inside its production (cut order).</summary>
    public int Sequence { get; init; }
    public int Fps { get; init; } = 24;
    public Resolution Resolution { get; init; } = new(1280, 720);
    /// <summary>Length in seconds; ignored when <see cref="Frames"/> is given.</summary>
    public double? DurationSeconds { get; init; }
    public FrameRange? Frames { get; init; }
    public IReadOnlyList<CharacterSpec> Characters { get; init => field = Wire.List(value); } = [];
    /// <summary>Shot-wide palette overrides: region name → "#rrggbb".</summary>
    public IReadOnlyDictionary<string, string>? Palette { get; init => field = Wire.Map(value); }
    /// <summary>AETHER background preset: day, dusk, night, interior, studio, none; <see cref="PlateBackground"/> when
    /// <see cref="Plate"/> paints the background instead (in JSON, <c>background</c> is then the plate object).</summary>
    public string Background { get; init; } = "day";
    /// <summary>A painted background plate (image assets, multiplane layers); null = the preset <see cref="Background"/>.
    /// Not written when null, so specs without a plate keep their bytes and chunk identities. Setting one sets
    /// <see cref="Background"/> to <see cref="PlateBackground"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PlateSpec? Plate
    {
        get;
        init
        {
            field = value;
            if (value is not null) Background = PlateBackground;
        }
    }

    /// <summary>The <see cref="Background"/> of a shot whose <see cref="Plate"/> paints it.</summary>
    public const string PlateBackground = "plate";
    /// <summary>AETHER lighting preset: key-left, key-right, noon, sunset, moody.</summary>
    public string Lighting { get; init; } = "key-left";
    public IReadOnlyList<EffectSpec> Effects { get; init => field = Wire.List(value); } = [];
    public IReadOnlyList<CameraMove> Camera { get; init => field = Wire.List(value); } = [];
    public AudioSpec? Audio { get; init; }
    public IReadOnlyList<DialogueLine> Dialogue { get; init => field = Wire.List(value); } = [];
    /// <summary>Sound effects at frames of the shot (PRISM's sound cues: bang, door-slam, wind, rain, …), mixed into the film's audio.</summary>
    public IReadOnlyList<SoundCue> Sounds { get; init => field = Wire.List(value); } = [];
    /// <summary>The film's integrated loudness target in LUFS (EBU R128 -23 when null; -14 for the web). Production-wide: the first shot's counts.</summary>
    public double? Loudness { get; init; }
    /// <summary>How this shot is entered from the previous one: cut, dissolve, fade (from black).</summary>
    public string Transition { get; init; } = "cut";
    /// <summary>Scene heading or a human title, for reports.</summary>
    public string? Title { get; init; }
    /// <summary>Emotion cue for the shot's mood (joy, anger, fear, sadness, surprise, calm).</summary>
    public string? Mood { get; init; }
    /// <summary>How the film is delivered: sdr (H.264 BT.709), hdr10 (HEVC Main10, BT.2020 PQ), prores (ProRes 4444 with alpha),
    /// png16 (16-bit PNG sequence). Anything but sdr keeps ANIMA's linear-light frames for the encoder.</summary>
    public string Delivery { get; init; } = "sdr";
    /// <summary>Render passes (AOVs) kept beside the film: exr (OpenEXR, half float; depth float) or png16 (depth and motion stay EXR); null = none.</summary>
    public string? Layers { get; init; }
    /// <summary>How FLUX inbetweens characters drawn as keyframe images: classic (Talos's optical-flow inbetweener) or rife
    /// (the RIFE v4.6 network, <c>talos models fetch rife</c>). Rig characters are inbetweened in rig space either way.
    /// Classic, the default, is kept as null and not written, so a spec that does not ask for RIFE has the bytes (and the
    /// chunk identities) it had before the field existed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Flux { get; init => field = value == ClassicFlux ? null : value; }

    /// <summary>ECHO's repair budget, in percent of the shot's render time: the frames ECHO repairs from their neighbours
    /// (colour flips repainted, popped frames drawn again) are at most this share of the shot's frames, each repair
    /// counted at <see cref="Limits.EchoRepairCost"/> frames' render time. Null (not written) is
    /// <see cref="Limits.DefaultEchoBudget"/>; 0 repairs nothing (ECHO still reports).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? EchoBudget { get; init; }

    /// <summary>The default <see cref="Flux"/>: Talos's own optical-flow inbetweener.</summary>
    public const string ClassicFlux = "classic";

    /// <summary>How much ANIMA's composited frame is enlarged for delivery: 1 (rendered at <see cref="Resolution"/>) or 2 (every
    /// stage up to ANIMA's compositing works at <see cref="RenderResolution"/>, about half the size, and the frame is upscaled 2×
    /// with Real-CUGAN, <c>talos models fetch realcugan</c>). 1, the default, is kept as null and not written, so a spec that
    /// does not upscale has the bytes (and the chunk identities) it had before the field existed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Upscale { get; init => field = value == 1 ? null : value; }

    /// <summary>The upscale factors a spec may ask for (<see cref="Upscale"/>).</summary>
    public static readonly IReadOnlyList<int> UpscaleFactors = [1, 2];

    /// <summary>The size the stages up to ANIMA's compositing render at: <see cref="Resolution"/> divided by <see cref="Upscale"/>,
    /// each side rounded up to an even number (the upscaled frame is then at least the delivery size, and cropped to it).</summary>
    [JsonIgnore]
    public Resolution RenderResolution => Upscale is { } u and > 1 ? new(RenderSide(Resolution.Width, u), RenderSide(Resolution.Height, u)) : Resolution;

    /// <summary>One side of <see cref="RenderResolution"/>: <paramref name="delivery"/> / <paramref name="upscale"/>, rounded up to even.</summary>
    public static int RenderSide(int delivery, int upscale)
    {
        int side = (delivery + upscale - 1) / upscale;
        return side + (side & 1);
    }

    [JsonIgnore]
    public int FrameCount => Frames is { } r ? r.End - r.Start + 1 : (int)Math.Round((DurationSeconds ?? 0) * Fps);
}

public sealed record Resolution(int Width, int Height);

/// <summary>
/// A background plate (docs/plates.md): image layers painted back to front, each moving by its share of the camera's
/// pan and zoom (the multiplane camera), standing so that the plate's ground line is where characters stand.
/// </summary>
public sealed record PlateSpec
{
    /// <summary>Where characters stand: a fraction of the plate's height from its top edge, in (0, 1).</summary>
    public double GroundLine { get; init; } = 0.82;
    /// <summary>Back to front (depth never decreasing); one layer is a single flat plate.</summary>
    public IReadOnlyList<PlateLayer> Layers { get; init => field = Wire.List(value); } = [];
    /// <summary>Procedural layers painted behind the image layers (a procedural sky behind a painted street): the JSON array
    /// of a background document's layers (docs/plates.md, "Procedural layers"), as written in the spec; null = none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Procedural { get; init; }
}

/// <summary>One multiplane layer: a PNG or JPEG asset (name or <c>sha256/HASH</c>) at parallax <paramref name="Depth"/>
/// (the share of the camera's motion it follows: 0 = at infinity, stays put; 1 = the characters' plane; up to 1.5 in front),
/// with an optional 16-bit greyscale PNG <paramref name="DepthMap"/> of the same size (0 = infinity … 65535 = depth 1.5)
/// that RAYGEN uses for depth of field and cast shadows.</summary>
public sealed record PlateLayer(string Image, double Depth = 1.0, string? DepthMap = null);

/// <summary>Inclusive frame range.</summary>
public sealed record FrameRange(int Start, int End);

public sealed record CharacterSpec
{
    public required string Name { get; init; }
    /// <summary>A built-in rig ("lanky", "stocky", "round"), or an uploaded rig file by its content, <c>sha256/HASH</c> (docs/cast.md).</summary>
    public string Rig { get; init; } = "lanky";
    /// <summary>Character palette overrides: region name → "#rrggbb".</summary>
    public IReadOnlyDictionary<string, string>? Palette { get; init => field = Wire.Map(value); }
    /// <summary>The scratch voice of the character's dialogue (espeak-ng variant and pitch, <c>f2</c> or <c>m3:28</c>); null = one
    /// chosen by a stable hash of the name. Not written when null, so specs without it keep their bytes and chunk identities.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Voice { get; init; }
    public IReadOnlyList<PoseKey> Keyframes { get; init => field = Wire.List(value); } = [];
    /// <summary>Artists' keyframe drawings (PNG assets in the vault, by name) at frame numbers.</summary>
    public IReadOnlyList<KeyframeImage> KeyframeImages { get; init => field = Wire.List(value); } = [];
}

/// <summary>A key pose at a frame. X is the character's horizontal position in [0,1] of the frame width.</summary>
public sealed record PoseKey
{
    public int Frame { get; init; }
    /// <summary>Pose library name: idle, walk, run, point, wave, sit, gesture, fall, fight.</summary>
    public string Pose { get; init; } = "idle";
    public string Emotion { get; init; } = "calm";
    public double X { get; init; } = 0.5;
    /// <summary>+1 faces right, -1 faces left.</summary>
    public int Facing { get; init; } = 1;
    /// <summary>Easing into this key: linear, ease-in, ease-out, ease-in-out, hold.</summary>
    public string Ease { get; init; } = "ease-in-out";
}

public sealed record KeyframeImage(int Frame, string Asset);

public sealed record EffectSpec
{
    /// <summary>smoke, fire, magic, mist.</summary>
    public string Type { get; init; } = "smoke";
    public double X { get; init; } = 0.5;
    public double Y { get; init; } = 0.85;
    public int StartFrame { get; init; }
    public int? EndFrame { get; init; }
    public double Strength { get; init; } = 1.0;
}

public sealed record CameraMove
{
    public int Frame { get; init; }
    /// <summary>static, pan, dolly, wide, medium, close.</summary>
    public string Move { get; init; } = "static";
    /// <summary>Zoom factor (1 = wide framing).</summary>
    public double Zoom { get; init; } = 1.0;
    /// <summary>Horizontal pan offset in frame widths.</summary>
    public double PanX { get; init; }
    /// <summary>Depth of field: the parallax depth in focus (0 = the far sky, 1 = the characters' plane, up to 1.5 in front);
    /// null = everything sharp.</summary>
    public double? Focus { get; init; }
    /// <summary>Blur radius of a layer one depth unit out of focus, as a fraction of the frame height (0 = pinhole).</summary>
    public double Aperture { get; init; }
}

public sealed record AudioSpec(string Asset, double OffsetSeconds = 0);

/// <summary>A sound effect from <paramref name="Frame"/> of the shot: <paramref name="Name"/> from Talos's procedural library
/// (SoundEffects.Names), or the audio asset <paramref name="Asset"/> (name or <c>sha256/HASH</c>) when given.</summary>
public sealed record SoundCue(string Name, int Frame, string? Asset = null);

/// <summary>A spoken line: who says what from <paramref name="StartFrame"/> to <paramref name="EndFrame"/> (frames of the shot).</summary>
/// <param name="Audio">The line's recorded voice: an audio asset (WAV, FLAC, MP3, … by name or <c>sha256/HASH</c>); null = a scratch
/// voice (espeak-ng, one voice per character). It starts at <paramref name="StartFrame"/> and plays to its end.</param>
public sealed record DialogueLine(string Character, string Text, int StartFrame, int EndFrame, string? Parenthetical = null, string? Audio = null);
