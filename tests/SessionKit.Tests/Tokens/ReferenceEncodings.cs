using SharpToken;

namespace SessionKit.Tests.Tokens;

/// <summary>SharpToken encodings loaded by the tests themselves, to check counters against independently.</summary>
internal static class ReferenceEncodings
{
    private static readonly ISet<string> NoSpecialTokens = new HashSet<string>();
    private static readonly Lazy<GptEncoding> O200k = new(() => GptEncoding.GetEncoding("o200k_base"));
    private static readonly Lazy<GptEncoding> Cl100k = new(() => GptEncoding.GetEncoding("cl100k_base"));

    public static GptEncoding Get(string encodingName) => encodingName switch
    {
        "o200k_base" => O200k.Value,
        "cl100k_base" => Cl100k.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(encodingName), encodingName, null),
    };

    /// <summary>The token list's length, with special-token markers treated as text (as the counter does).</summary>
    public static int EncodedLength(string encodingName, string text) => Get(encodingName).Encode(text, null, NoSpecialTokens).Count;
}
