using Talos.Gpu.Kernels;
using Xunit;

namespace Talos.Tests.Stokes;

/// <summary>The vector rows of <see cref="FluidRows"/> give every element the scalar <see cref="FluidCells"/> function's bits.</summary>
public sealed class FluidRowsTests
{
    static float[] Field(int count, int seed, float zeroFraction)
    {
        var rng = new Random(seed);
        var a = new float[count];
        for (int k = 0; k < count; k++)
        {
            double r = rng.NextDouble();
            a[k] = r < zeroFraction / 2 ? 0f : r < zeroFraction ? -0f : (float)(rng.NextDouble() * 4 - 1.5);
        }
        return a;
    }

    static void AssertBits(float[] expected, float[] actual, string what)
    {
        for (int k = 0; k < expected.Length; k++)
            if (BitConverter.SingleToInt32Bits(expected[k]) != BitConverter.SingleToInt32Bits(actual[k]))
                Assert.Fail($"{what}: element {k} is {actual[k]:R} (0x{BitConverter.SingleToInt32Bits(actual[k]):X8}), the scalar function gives {expected[k]:R} (0x{BitConverter.SingleToInt32Bits(expected[k]):X8})");
    }

    [Theory]
    [InlineData(160, 90)] // the effects grid: rows a multiple of 8
    [InlineData(37, 11)]  // odd sizes: scalar tails after the vectors
    [InlineData(5, 3)]    // narrower than a vector: all scalar
    [InlineData(80, 45)]
    public void Weighted_relaxation_rows_are_the_scalar_updates_to_the_bit(int nx, int ny)
    {
        int s = nx + 2, count = s * (ny + 2);
        // weights with zeros (walls, solids, cells with no open face), negative zeros and values of both signs
        var wx = Field(count, 1, 0.3f); var wy = Field(count, 2, 0.3f);
        for (int k = 0; k < count; k++) { wx[k] = MathF.Abs(wx[k]) > 1.5f ? 0f : wx[k]; }
        wx[3 + s * 2] = wx[2 + s * 2] = wy[3 + s * 2] = wy[3 + s * 1] = 0f; // cell (3, 2): no open face → 0
        var b = Field(count, 3, 0.2f);
        for (int colour = 0; colour < 2; colour++)
        {
            var p0 = Field(count, 4 + colour, 0.2f);
            var expected = (float[])p0.Clone();
            var actual = (float[])p0.Clone();
            var hp = new HostField(expected); var hb = new HostField(b); var hx = new HostField(wx); var hy = new HostField(wy);
            for (int j = 1; j <= ny; j++)
                for (int i = 1 + ((1 + j + colour) & 1); i <= nx; i += 2)
                    expected[i + s * j] = FluidCells.RelaxWeighted(hp, hb, hx, hy, i + s * j, s);
            var ap = new HostField(actual);
            int vectorCells = 0;
            for (int j = 1; j <= ny; j++)
            {
                int first = 1 + ((1 + j + colour) & 1), i = FluidRows.RelaxWeighted(actual, b, wx, wy, j, nx, colour);
                vectorCells += i - 1;
                for (i += (i - first) & 1; i <= nx; i += 2) actual[i + s * j] = FluidCells.RelaxWeighted(ap, hb, hx, hy, i + s * j, s);
            }
            AssertBits(expected, actual, $"{nx}x{ny} colour {colour}");
            if (FluidRows.Enabled && nx >= 8) Assert.True(vectorCells > 0, "the vector rows did nothing");
        }
    }

    [Theory]
    [InlineData(160, 90, -0.45f, -0.9f, 0, 0, 161, 91)]   // the film's light, the whole grid
    [InlineData(160, 90, -0.45f, -0.9f, 60, 40, 100, 91)] // a smoke box low in the frame
    [InlineData(43, 20, 0.6f, -0.8f, 5, 3, 30, 12)]       // towards the upper right, odd width
    [InlineData(40, 30, 0f, 1f, 0, 10, 41, 20)]           // straight down
    [InlineData(24, 16, -1f, 0f, 3, 3, 9, 9)]             // level: every lane's row the same
    public void Light_rays_are_the_scalar_rays_to_the_bit(int nx, int ny, float dx, float dy, int bx0, int by0, int bx1, int by1)
    {
        int s = nx + 2, count = s * (ny + 2);
        float len = MathF.Sqrt(dx * dx + dy * dy);
        dx /= len; dy /= len;
        var smoke = Field(count, 7, 0.3f);
        // zero outside the box, as the CPU path's contract for the box
        for (int j = 0; j < ny + 2; j++)
            for (int i = 0; i < s; i++)
                if (i < bx0 || i > bx1 || j < by0 || j > by1) smoke[i + s * j] = (i + j) % 3 == 0 ? -0f : 0f;
                else smoke[i + s * j] = MathF.Abs(smoke[i + s * j]);
        int steps = (int)(0.8f * Math.Max(nx, ny));
        var expected = new float[count]; var actual = new float[count];
        var hs = new HostField(smoke);
        int vectorCells = 0;
        for (int j = 1; j <= ny; j++)
        {
            for (int i = 1; i <= nx; i++)
                expected[i + s * j] = FluidCells.Light(hs, i, j, dx, dy, steps, 0.35f, nx, ny, 0, 0, nx + 1, ny + 1);
            int done = FluidRows.Light(smoke, actual, 1, nx, j, dx, dy, steps, 0.35f, nx, ny, bx0, by0, bx1, by1);
            vectorCells += done;
            for (int i = 1 + done; i <= nx; i++)
                actual[i + s * j] = FluidCells.Light(hs, i, j, dx, dy, steps, 0.35f, nx, ny, bx0, by0, bx1, by1);
        }
        AssertBits(expected, actual, $"{nx}x{ny} light ({dx}, {dy})");
        Assert.Contains(expected, l => l < 0.9f && l > 0f);
        if (FluidRows.Enabled) Assert.True(vectorCells > 0, "the vector rows did nothing");
    }

    /// <summary>Velocities of every kind of departure: small and large (past the walls: clamped), whole-cell offsets (r = 0
    /// on both sides of zero), ±0, and one NaN and one huge value (those blocks go to the scalar function).</summary>
    static (float[] u, float[] v) Velocities(int count, int seed, float dt)
    {
        var rng = new Random(seed);
        float[] Make()
        {
            var a = new float[count];
            for (int k = 0; k < count; k++)
            {
                int pick = rng.Next(8);
                a[k] = pick switch
                {
                    0 => 0f,
                    1 => -0f,
                    2 => rng.Next(-6, 7) / dt,                        // a whole number of cells
                    3 => (float)(rng.NextDouble() * 80 - 40) / dt,    // far past the walls
                    _ => (float)(rng.NextDouble() * 6 - 3) / dt,
                };
            }
            return a;
        }
        return (Make(), Make());
    }

    [Theory]
    [InlineData(FluidCells.Scalar, 160, 90)]
    [InlineData(FluidCells.U, 160, 90)]
    [InlineData(FluidCells.V, 160, 90)]
    [InlineData(FluidCells.Scalar, 29, 13)]
    [InlineData(FluidCells.U, 29, 13)]
    [InlineData(FluidCells.V, 29, 13)]
    public void Advection_and_MacCormack_rows_are_the_scalar_functions_to_the_bit(int kind, int nx, int ny)
    {
        int s = nx + 2, count = s * (ny + 2);
        foreach (float dt in new[] { 1f / 48, -1f / 48 })
        {
            var (u, v) = Velocities(count, 11 + kind, MathF.Abs(dt));
            u[5 + s * 3] = float.NaN; v[17 + s * 4] = 3e12f;
            var phi = Field(count, 21, 0.3f); var hat = Field(count, 22, 0.3f); var tilde = Field(count, 23, 0.3f);
            var hq = new HostField(phi); var hh = new HostField(hat); var ht = new HostField(tilde); var hu = new HostField(u); var hv = new HostField(v);
            var expectedA = new float[count]; var actualA = new float[count];
            var expectedM = new float[count]; var actualM = new float[count];
            int vectorCells = 0;
            for (int j = 1; j <= ny; j++)
            {
                for (int i = 1; i <= nx; i++)
                {
                    expectedA[i + s * j] = FluidCells.Advect(hq, hu, hv, kind, i, j, dt, nx, ny);
                    expectedM[i + s * j] = FluidCells.MacCormack(hq, hh, ht, hu, hv, kind, i, j, dt, nx, ny);
                }
                int done = FluidRows.Advect(kind, actualA, phi, u, v, 1, nx, j, dt, nx, ny);
                vectorCells += done;
                for (int i = 1 + done; i <= nx; i++) actualA[i + s * j] = FluidCells.Advect(hq, hu, hv, kind, i, j, dt, nx, ny);
                done = FluidRows.MacCormack(kind, actualM, phi, hat, tilde, u, v, 1, nx, j, dt, nx, ny);
                for (int i = 1 + done; i <= nx; i++) actualM[i + s * j] = FluidCells.MacCormack(hq, hh, ht, hu, hv, kind, i, j, dt, nx, ny);
            }
            AssertBits(expectedA, actualA, $"advect kind {kind} {nx}x{ny} dt {dt}");
            AssertBits(expectedM, actualM, $"MacCormack kind {kind} {nx}x{ny} dt {dt}");
            if (FluidRows.Enabled) Assert.True(vectorCells > 0, "the vector rows did nothing");
        }
    }

    [Theory]
    [InlineData(160, 90)]
    [InlineData(37, 11)]
    [InlineData(6, 4)]
    public void Weighted_Laplacian_rows_are_the_scalar_function_to_the_bit(int nx, int ny)
    {
        int s = nx + 2, count = s * (ny + 2);
        var p = Field(count, 31, 0.3f); var wx = Field(count, 32, 0.4f); var wy = Field(count, 33, 0.4f);
        var hp = new HostField(p); var hx = new HostField(wx); var hy = new HostField(wy);
        var row = new float[nx];
        int vectorCells = 0;
        for (int j = 1; j <= ny; j++)
        {
            Array.Fill(row, float.NaN);
            int done = FluidRows.LaplacianWeighted(p, wx, wy, j, nx, row);
            vectorCells += done;
            for (int i = 1 + done; i <= nx; i++) row[i - 1] = FluidCells.LaplacianWeighted(hp, hx, hy, i + s * j, s);
            var expected = new float[nx];
            for (int i = 1; i <= nx; i++) expected[i - 1] = FluidCells.LaplacianWeighted(hp, hx, hy, i + s * j, s);
            AssertBits(expected, row, $"{nx}x{ny} row {j}");
        }
        if (FluidRows.Enabled && nx >= 8) Assert.True(vectorCells > 0, "the vector rows did nothing");
    }
}
