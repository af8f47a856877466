namespace Talos.Gpu.Echo;

/// <summary>What ECHO calls a defect. Luma values are linear-light Rec.709 luminance in [0, 1].</summary>
public sealed record EchoThresholds
{
    /// <summary>Mean luma below which a frame is black.</summary>
    public float BlackLuma { get; init; } = 0.02f;
    /// <summary>This many identical consecutive frames make a frozen run (only in a shot that animates at all).</summary>
    public int FrozenRun { get; init; } = 12;
    /// <summary>Mean absolute difference (0..1 of the 8-bit range) below which two frames count as identical.</summary>
    public float FrozenDiff { get; init; } = 0.0005f;
    /// <summary>Share of pixels that may change (by more than 2 levels) in a frame that still counts as identical.</summary>
    public float FrozenChanged { get; init; } = 0.0005f;
    /// <summary>Relative brightness change not explained by motion above which a frame flickers (0.05 = 5%).</summary>
    public float FlickerLimit { get; init; } = 0.05f;
    /// <summary>
    /// Whether dark frames are defects. False for a film with no background (<c>none</c>): its transparent pixels are
    /// black in the 8-bit frames ECHO measures, so a frame with little or nothing drawn is dark by design.
    /// </summary>
    public bool JudgeBlack { get; init; } = true;
}

/// <summary>
/// Measurements of one frame. <see cref="DiffFromPrevious"/>, <see cref="Flicker"/>, <see cref="BrightnessShift"/> and
/// <see cref="Motion"/> are 0 for the first frame, which has no previous one.
/// </summary>
/// <param name="Frame">Index of the frame in the clip.</param>
/// <param name="MeanLuma">Mean linear luma.</param>
/// <param name="Black">MeanLuma below the default <see cref="EchoThresholds.BlackLuma"/>.</param>
/// <param name="DiffFromPrevious">Mean absolute difference of the 8-bit values from the previous frame, 0..1.</param>
/// <param name="Flicker">|BrightnessShift|.</param>
/// <param name="BrightnessShift">Signed change of brightness after motion compensation, relative to the mean luma.</param>
/// <param name="Motion">Mean block motion against the previous frame, in pixels of the full frame.</param>
/// <param name="ChangedFraction">Share of pixels with a channel more than 2 levels away from the previous frame: small
/// moving things (a wisp of smoke, a blinking eye) change few pixels but are not a frozen frame.</param>
public sealed record FrameMetrics(int Frame, float MeanLuma, bool Black, float DiffFromPrevious, float Flicker, float BrightnessShift, float Motion,
    float ChangedFraction = 0f)
{
    /// <summary>Whether this frame repeats the one before it, by both measures.</summary>
    public bool SameAsPrevious(EchoThresholds t) => DiffFromPrevious < t.FrozenDiff && ChangedFraction < t.FrozenChanged;
}

/// <summary>The verdict on a clip: human findings, the failing frames (sorted, distinct) and summary numbers.</summary>
public sealed record EchoReport(
    bool Passed,
    IReadOnlyList<string> Findings,
    IReadOnlyList<int> FailingFrames,
    int Frames,
    int BlackFrames,
    int LongestFrozenRun,
    float MaxFlicker,
    int MaxFlickerFrame,
    float MeanLuma);
