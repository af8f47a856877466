using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Talos.Messages.Specs;
using Talos.Vault;
using Talos.Messages.Api;

namespace Talos.Cluster.Seed.Api;

/// <summary>
/// Assets (PNG and JPEG images: keyframes, rig drawings, background plates, depth maps; WAV/FLAC/Ogg/MP3 audio, palette JSON, rig files, ONNX models) go into the vault: the body is the file, its
/// type is sniffed from its bytes, and the answer is its content hash. Every asset is named <c>sha256/HASH</c> in the
/// vault (so a shot spec can name a keyframe by hash: <c>"asset": "sha256/…"</c>) and, with <c>?name=</c>, under that
/// name too (<c>drawings/mara-036.png</c>).
/// </summary>
public static class AssetRoutes
{
    public const string HashPrefix = Identifiers.HashPrefix;

    /// <summary>A bare 64-hex content hash names the asset <c>sha256/HASH</c>; anything else is an asset name.</summary>
    public static string NameFor(string reference) =>
        reference.Length == 64 && reference.All(char.IsAsciiHexDigitLower) ? HashPrefix + reference : reference;

    public static RouteGroupBuilder MapAssetRoutes(this RouteGroupBuilder api)
    {
        api.MapPost("/assets", async (HttpRequest request, string? name, IBlobVault vault, ApiOptions options, CancellationToken ct) =>
        {
            if (name is not null && !Identifiers.IsSafeAssetName(name, out var why)) return Problems.BadRequest($"asset name {why}", "name");
            var read = await ApiBody.ReadAsync(request, options.MaxAssetBytes, "the asset", ct);
            if (read.Problem is not null) return read.Problem;
            if (!AssetSniffer.TrySniff(read.Bytes!, out var kind, out var problem)) return Problems.Unsupported($"the asset is {problem}", "body");
            if (kind == AssetSniffer.Wav)
            {
                // Sound is decoded once on the way in (empty, truncated, too long, absurd rate, not audio): refused now with the reason,
                // not found out when a film's edit fails.
                try { Talos.Gpu.Cuttura.Audio.AudioDecoder.DecodeMono(read.Bytes, 8000, name is null ? "upload" : $"'{name}'"); }
                catch (Talos.Gpu.Cuttura.CutturaException e) { return Problems.Unsupported(e.Message, "body"); }
            }
            if (kind is AssetSniffer.Png or AssetSniffer.Jpeg)
            {
                // Images are decoded once on the way in: a corrupt or truncated one is refused now, and nothing is stored.
                try { Talos.Gpu.Imaging.ImageFiles.DecodeRgba8(read.Bytes!, name is null ? "the image" : $"'{name}'"); }
                catch (InvalidDataException e) { return Problems.Unsupported(e.Message, "body"); }
            }
            if (kind == AssetSniffer.Rig)
            {
                // A rig file is loaded on the way in, its drawings (named sha256/HASH, uploaded before it) read from the vault.
                try { Talos.Gpu.Axis.RigAssets.Load(read.Bytes!, name is null ? "the rig file" : $"rig file '{name}'", vault.Asset); }
                catch (InvalidDataException e) { return Problems.Unsupported(e.Message, "body"); }
            }
            var hash = vault.PutAsset(HashPrefix + BlobVault.HashOf(read.Bytes), read.Bytes, kind);
            if (name is not null) vault.PutAsset(name, read.Bytes, kind);
            return TypedResults.Created($"{TalosApi.Prefix}/assets/{hash}", new AssetStored(hash, kind, read.Bytes!.LongLength, HashPrefix + hash, name));
        }).RequireScope(ApiScopes.Pipeline).WithTags("assets").WithName("UploadAsset")
          .WithSummary("Upload a PNG or JPEG image (keyframe, rig drawing, background plate, depth map), audio (WAV, FLAC, Ogg, MP3), palette JSON, rig file (docs/cast.md) or ONNX model (raw body; ?name= also names it); answers its content hash")
          .Accepts<byte[]>("application/octet-stream", "image/png", "image/jpeg", "audio/wav", "audio/x-wav", "application/json", "application/x-www-form-urlencoded").Produces<AssetStored>(201).ProducesProblem(400).ProducesProblem(413).ProducesProblem(415);

        api.MapGet("/assets/{hash}", (string hash, IBlobVault vault) =>
        {
            if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower)) return Problems.BadRequest($"'{hash}' is not a SHA-256 content hash (64 lowercase hex digits)", "hash");
            var named = vault.ResolveAsset(HashPrefix + hash);
            if (named is null) return Problems.NotFound($"no uploaded asset {hash}", "hash");
            var bytes = vault.Get(named);
            AssetSniffer.TrySniff(bytes, out var kind, out _);
            var type = kind switch { AssetSniffer.Png => "image/png", AssetSniffer.Jpeg => "image/jpeg", AssetSniffer.Wav => "audio/wav", AssetSniffer.Palette or AssetSniffer.Rig => "application/json", _ => "application/octet-stream" };
            return TypedResults.File(bytes, type);
        }).RequireScope(ApiScopes.Pipeline).WithTags("assets").WithName("GetAsset").WithSummary("An uploaded asset's bytes")
          .Produces(200, contentType: "application/octet-stream").ProducesProblem(404);
        return api;
    }
}
