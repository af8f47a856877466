using Talos.Gpu.Axis;

namespace Talos.Gpu.Flux;

/// <summary>
/// A character at one frame: the pose to draw (keyed pose plus gait, breathing and waving), position (fraction of the
/// frame width) and facing (+1 right, −1 left). <see cref="KeyedPose"/> is the eased blend of the key poses alone.
/// </summary>
public sealed record MotionState(Pose Pose, double X, int Facing, Pose KeyedPose);
