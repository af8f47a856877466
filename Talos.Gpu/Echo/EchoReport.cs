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

    // ---- temporal checks (TemporalChecks): each frame against the FLUX inbetween of its two neighbours ----

    /// <summary>Whether the temporal checks (colour flips, pops, warping error) run at all.</summary>
    public bool JudgeTemporal { get; init; } = true;
    /// <summary>The temporal checks measure frames reduced to at most this many pixels wide (whole-pixel block averages:
    /// 1280 → 320); only a frame they find a defect on is repaired at full size. 0 measures the frames themselves.</summary>
    public int ProxyWidth { get; init; } = 320;
    /// <summary>CIEDE2000 jump from both neighbours above which a pixel (and a region's mean colour) has changed colour.
    /// 10 is a clearly different paint; shading and anti-aliasing stay well under it.</summary>
    public float FlipDeltaE { get; init; } = 10f;
    /// <summary>CIEDE2000 within which the two neighbours, warped to the frame's time, agree on a pixel.</summary>
    public float AgreeDeltaE { get; init; } = 6f;
    /// <summary>Smallest colour-flipped region, as a share of the frame (0.0005 = 29 pixels at 320x180)…</summary>
    public float FlipMinArea { get; init; } = 0.0005f;
    /// <summary>…and in pixels, whichever is larger.</summary>
    public int FlipMinPixels { get; init; } = 24;
    /// <summary>Mean CIE76 distance of a region's pixels from its mean colour, in the frame and in the inbetween, above
    /// which it is not one flat paint (so not a flip of a palette entry).</summary>
    public float FlipFlatness { get; init; } = 8f;
    /// <summary>Share of a flipped region's outline that must lie on lines in both the frame and the inbetween (the
    /// drawing stayed, only the paint changed; a moved drawing is a pop).</summary>
    public float FlipOutlineShare { get; init; } = 0.6f;
    /// <summary>A repaired flip takes the neighbours' colour where the frame differs from them by more than this (ΔE00).</summary>
    public float RepairDeltaE { get; init; } = 2f;
    /// <summary>Pop score (share of the frame that jumps away from what both neighbours agree on, outside flips) above
    /// which a frame is popped…</summary>
    public float PopLimit { get; init; } = 0.004f;
    /// <summary>Share of the frame the pre-screen must find new (<see cref="TemporalMetrics.Novel"/>) to confirm a pop.</summary>
    public float PopConfirm { get; init; } = 0.001f;
    /// <summary>…when it is also this many times the clip's median pop score and larger than both neighbours' scores.</summary>
    public float PopRatio { get; init; } = 4f;
    /// <summary>Pre-screen (<see cref="TemporalChecks.Screen"/>): a pixel is new when no pixel this close (in proxy
    /// pixels; 4 at 320 px wide is 16 px of a 1280 frame) in either neighbour is within <see cref="FlipDeltaE"/> (CIE76) of it.
    /// Frames with no new colour skip the flow measures.</summary>
    public int ScreenRadius { get; init; } = 4;
    /// <summary>Smallest connected group of new pixels (proxy pixels) that passes a frame to the flow measures, and that
    /// confirms a flip found there (a flip is repaired only when the pre-screen confirms it).</summary>
    public int ScreenMinPixels { get; init; } = 6;
    /// <summary>The warping error is measured on every frame that passes the pre-screen and on every this-many-th frame
    /// (the clip's median for boiling lines); 1 measures every frame.</summary>
    public int WarpSample { get; init; } = 8;
    /// <summary>Median warping error (Lai et al.; mean squared sRGB difference, 0..1) above which the clip's lines boil.
    /// Clean flat-shaded animation measures around 0.001–0.003.</summary>
    public float BoilWarpError { get; init; } = 0.02f;
    /// <summary>A flipped region is a fast part the flow did not follow (a head or legs smeared by motion blur over a
    /// background), not a flip, when the colour it became is in both neighbours (ΔE76 ≤ <see cref="AgreeDeltaE"/>) within
    /// this share of the frame's width of its box (0.06: 16 px at 256 wide, 19 px of a 320-px proxy).</summary>
    public float FlipMotionReach { get; init; } = 0.06f;

    // ---- deep features (ResNet-18, DeepFeatures): confirm pops ----

    /// <summary>With ResNet-18, a pop is confirmed when the frame's deep distance to each neighbour exceeds this many times
    /// the shot's typical distance between consecutive frames (the median over the sampled pairs)…</summary>
    public float DeepPopRatio { get; init; } = 2.5f;
    /// <summary>…and its neighbours are close to each other: their distance at most this share of the smaller of the two.</summary>
    public float DeepNeighbourShare { get; init; } = 0.8f;

    // ---- line stability: boiling lines ----

    /// <summary>A pixel is on a line when it is darker than the frame on both sides of it, within two pixels, by more than this (CIE L*).</summary>
    public float LineContrast { get; init; } = 12f;
    /// <summary>A line pixel carried along the flow is stable when a line pixel of the next frame is this close (pixels of
    /// the proxy frame, to the pixel's centre).</summary>
    public float LineTolerance { get; init; } = 1f;
    /// <summary>A pair with fewer line pixels than this (where the flow is consistent) has no line stability.</summary>
    public int LineMinPixels { get; init; } = 50;
    /// <summary>Line stability (share of a frame's line pixels that land within a pixel of a line of the next frame along
    /// the flow) under which a pair's lines boil…</summary>
    public float LineStability { get; init; } = 0.75f;
    /// <summary>…when at least this many measured pairs in a row are under it (a sustained drop, not one hard pair).</summary>
    public int LineRun { get; init; } = 3;
}

/// <summary>One defect ECHO found: the frame, its kind (<c>black</c>, <c>frozen</c>, <c>flicker</c>, <c>colour-flip</c>,
/// <c>pop</c>, <c>boil</c>, <c>line-boil</c>), the measure that failed and what it says.</summary>
public sealed record EchoDefect(int Frame, string Kind, float Measure, string Detail);

/// <summary>One fix ECHO made or proposes: the frame, its kind (<c>repaint-from-neighbours</c>, <c>reinbetween</c>,
/// <c>deflicker-gain</c>, <c>exposure-gain</c>, <c>rerender</c>) and what it does.</summary>
public sealed record EchoFix(int Frame, string Kind, string Detail);

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

/// <summary>
/// The verdict on a clip: human findings, the failing frames (sorted, distinct) and summary numbers. The later fields
/// (from <see cref="Defects"/> on) came with the temporal checks: every defect with its frame, every fix, and counts;
/// older readers that know only the first nine still read the same values there. <see cref="Suspects"/>: colour flips and
/// pops the flow measures found but the pre-screen did not confirm (reported, not failing, never repaired);
/// <see cref="ScreenedFrames"/>: the frames that passed the pre-screen to the flow measures.
/// <see cref="TypicalDeepDistance"/>: the median ResNet-18 distance between consecutive frames over the sampled pairs (null
/// without the model); <see cref="MedianLineStability"/>, <see cref="MinLineStability"/>: over the measured pairs (null when
/// none has lines); <see cref="LineBoilFrames"/>: the frames in runs of boiling lines.
/// </summary>
public sealed record EchoReport(
    bool Passed,
    IReadOnlyList<string> Findings,
    IReadOnlyList<int> FailingFrames,
    int Frames,
    int BlackFrames,
    int LongestFrozenRun,
    float MaxFlicker,
    int MaxFlickerFrame,
    float MeanLuma,
    IReadOnlyList<EchoDefect>? Defects = null,
    IReadOnlyList<EchoFix>? Fixes = null,
    int ColourFlipFrames = 0,
    int PoppedFrames = 0,
    float MedianWarpError = 0f,
    float MaxWarpError = 0f,
    int MaxWarpErrorFrame = -1,
    IReadOnlyList<EchoDefect>? Suspects = null,
    int ScreenedFrames = 0,
    float? TypicalDeepDistance = null,
    float? MedianLineStability = null,
    float? MinLineStability = null,
    int LineBoilFrames = 0)
{
    /// <summary>The report with the fixes listed.</summary>
    public EchoReport WithFixes(IReadOnlyList<EchoFix> fixes) => this with { Fixes = fixes };
}
