namespace Talos.Messages.Commands;

/// <summary>Operator or pipeline sets a shot's scheduling priority (higher runs first); By names who asked.</summary>
public sealed record SetShotPriority(string ShotKey, int Priority, string By = "operator") : ITalosMessage;
