using SessionKit.Storage;

namespace SessionKit;

/// <summary>
/// The words of <see cref="SearchText.Tokenize"/>, stemmed as SQLite's porter tokenizer does, with their places in the
/// original text so snippets can quote it.
/// </summary>
internal static class SearchTokenizer
{
    /// <summary>The stemmed words of <paramref name="text"/>, with their positions, in order.</summary>
    /// <param name="text">Any text.</param>
    /// <returns>The tokens; their stems are <see cref="PorterStemmer.Stem"/> of <see cref="SearchText.Words"/> of the text.</returns>
    public static List<SearchToken> Tokenize(string text) =>
        SearchText.Tokenize(text).Select(t => new SearchToken(t.Start, t.End, PorterStemmer.Stem(t.Word))).ToList();
}
