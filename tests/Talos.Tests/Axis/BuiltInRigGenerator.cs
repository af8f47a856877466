using Talos.Gpu.Axis.Rigging;
using Talos.Tests.Prism;
using Xunit;

namespace Talos.Tests.Axis;

/// <summary>
/// The built-in rig files (<c>Talos.Gpu/Axis/Rigs/*.rig.json</c>) are what <see cref="ProportionsRig"/> writes from the
/// built-ins' proportions (those of the former <c>Talos.Gpu/Axis/rigs.json</c>): the geometry the C# templates drew, as
/// data. The rig files are the source of truth; after a change to the generator,
/// <c>TALOS_WRITE_BUILTIN_RIGS=1 dotnet tests/Talos.Tests/bin/Release/net10.0/Talos.Tests.dll -class 'Talos.Tests.Axis.BuiltInRigGenerator'</c>
/// rewrites them (docs/rigs.md). Without the variable it checks that the committed files are what it would write.
/// </summary>
public sealed class BuiltInRigGenerator
{
    // The proportions of the former Talos.Gpu/Axis/rigs.json.
    static readonly Proportions[] BuiltIns =
    [
        new("lanky", 1.06f, 0.068f, 0.082f, 0.04f, 0.018f, 0.31f, 0.075f, 0.058f, 0.175f, 0.165f, 0.021f, 0.024f, 0.225f, 0.225f, 0.03f, 0.085f, 0.03f,
            Outfit.Shirt, HairStyle.Spiky, "shirt", "shirt", "trousers", "shoes",
            [("skin", "#f2c29b"), ("hair", "#6b3f22"), ("shirt", "#3f8fd0"), ("trousers", "#3a4a6b"), ("shoes", "#8a4b2a"), ("eyes", "#f7f7f2")]),
        new("stocky", 1.1f, 0.095f, 0.1f, 0.02f, 0.035f, 0.29f, 0.14f, 0.11f, 0.15f, 0.14f, 0.042f, 0.04f, 0.165f, 0.16f, 0.055f, 0.11f, 0.045f,
            Outfit.Coat, HairStyle.Crew, "coat", "coat", "trousers", "boots",
            [("skin", "#d9a27a"), ("hair", "#2e2a28"), ("coat", "#b5532f"), ("trousers", "#4d5a3a"), ("boots", "#3b2a20"), ("eyes", "#f7f7f2")]),
        new("round", 1.08f, 0.105f, 0.105f, 0.015f, 0.025f, 0.3f, 0.1f, 0.12f, 0.14f, 0.13f, 0.028f, 0.032f, 0.15f, 0.14f, 0.032f, 0.085f, 0.035f,
            Outfit.Dress, HairStyle.Bob, "skin", "dress", "skin", "shoes",
            [("skin", "#f5cfae"), ("hair", "#c9652b"), ("dress", "#4fa86b"), ("shoes", "#b83a55"), ("eyes", "#f7f7f2")]),
    ];

    static string RigDir => PrismPaths.Repo("Talos.Gpu", "Axis", "Rigs");

    [Fact]
    public void The_built_in_rig_files_are_what_the_generator_writes()
    {
        bool write = Environment.GetEnvironmentVariable("TALOS_WRITE_BUILTIN_RIGS") == "1";
        foreach (var p in BuiltIns)
        {
            string json = ProportionsRig.ToRigFile(p), path = Path.Combine(RigDir, $"{p.Name}.rig.json");
            if (write) { Directory.CreateDirectory(RigDir); File.WriteAllText(path, json); }
            else Assert.True(File.Exists(path) && File.ReadAllText(path) == json, $"{path} differs from the generator's output (TALOS_WRITE_BUILTIN_RIGS=1 rewrites it)");
            Assert.Equal(p.Name, Talos.Gpu.Axis.Rigging.RigFile.Read(json).Name);
        }
    }
}
