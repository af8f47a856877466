using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Api;

/// <summary>docs/openapi.json is the document the seed serves at /openapi.json (regenerate: TALOS_UPDATE_OPENAPI=1 and run this test).</summary>
[Collection(ClusterCollection.Name)]
public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task The_checked_in_OpenAPI_document_equals_the_served_one()
    {
        await using var seed = await ApiSeed.StartAsync("openapi");
        using var anonymous = seed.Client(null);
        var served = (await anonymous.GetStringAsync("/openapi.json")).ReplaceLineEndings("\n").TrimEnd() + "\n";
        var path = Path.Combine(Repo.Root, "docs", "openapi.json");
        if (Environment.GetEnvironmentVariable("TALOS_UPDATE_OPENAPI") == "1") await File.WriteAllTextAsync(path, served);
        Assert.True(File.Exists(path), "docs/openapi.json is missing: run this test with TALOS_UPDATE_OPENAPI=1");
        var checkedIn = (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n");
        Assert.True(served == checkedIn, "docs/openapi.json differs from /openapi.json: run this test with TALOS_UPDATE_OPENAPI=1 and commit the file");
        foreach (var route in new[] { "/api/v1/shots", "/api/v1/shots/{key}/events", "/api/v1/assets", "/api/v1/productions", "/api/v1/events",
                     "/api/v1/shots/{key}/priority", "/api/v1/productions/{production}/webhooks", "/api/v1/shots/{key}/history" })
            Assert.Contains($"\"{route}\"", served);
    }
}
