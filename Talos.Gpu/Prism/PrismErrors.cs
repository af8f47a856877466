namespace Talos.Gpu.Prism;

/// <summary>PRISM could not turn its input into shots: the message names the problem (and the line where useful).</summary>
public class PrismException : Exception
{
    public PrismException(string message) : base(message) { }
    public PrismException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A cast (docs/cast.md) is wrong: the message names the cast, the character and the field.</summary>
public sealed class CastException : PrismException
{
    public CastException(string message) : base(message) { }
    public CastException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>One problem in a shot spec or scene graph: a JSON path such as <c>$.characters[1].keyframes[0].pose</c> and what is wrong there.</summary>
public sealed record SpecError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>A shot spec or scene graph broke one or more rules; <see cref="Errors"/> lists every problem found, not just the first.</summary>
public sealed class SpecValidationException : PrismException
{
    public SpecValidationException(IReadOnlyList<SpecError> errors, string subject = "shot spec")
        : base(Summarise(errors, subject)) => (Errors, Subject) = (errors, subject);

    public IReadOnlyList<SpecError> Errors { get; }
    /// <summary>What was read: "shot spec" or "scene graph".</summary>
    public string Subject { get; }

    static string Summarise(IReadOnlyList<SpecError> errors, string subject)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var head = errors.Count == 1 ? $"invalid {subject}: " : $"invalid {subject} ({errors.Count} problems): ";
        return head + string.Join("; ", errors.Take(20).Select(e => e.ToString())) + (errors.Count > 20 ? $"; … {errors.Count - 20} more" : "");
    }
}
