using System.Text.RegularExpressions;

namespace SessionKit;

/// <summary>
/// The pre-tokenization patterns of the tiktoken encodings, exactly as tiktoken (and SharpToken 2.0.6) define them.
/// Each match is one pre-token; byte-pair merges never cross a pre-token's edges.
/// </summary>
internal static partial class PreTokenizers
{
    public static Regex For(string encodingName) => encodingName switch
    {
        SharpTokenCounter.O200kBase => O200kBase(),
        SharpTokenCounter.Cl100kBase => Cl100kBase(),
        _ => throw new ArgumentOutOfRangeException(nameof(encodingName), encodingName, "No pre-tokenizer for this encoding."),
    };

    [GeneratedRegex(@"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+", RegexOptions.None)]
    private static partial Regex O200kBase();

    [GeneratedRegex(@"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+", RegexOptions.None)]
    private static partial Regex Cl100kBase();
}
