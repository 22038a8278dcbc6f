using System.Text.RegularExpressions;

namespace ResearchAssistant;

/// <summary>The words of a text that carry its topic: lower-cased, without function words or plural endings.</summary>
internal static partial class ContentTerms
{
    // Function words, and the words of asking about the past ("what did you say about", "remind me"), which every
    // question shares and no answer is about.
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal)
    {
        "a", "about", "again", "all", "an", "and", "are", "as", "at", "be", "by", "can", "could", "did", "do", "does",
        "for", "from", "had", "has", "have", "how", "i", "in", "is", "it", "its", "me", "mention", "mentioned", "my",
        "of", "on", "or", "our", "please", "remind", "said", "say", "so", "tell", "that", "the", "their", "them", "then",
        "there", "these", "they", "this", "to", "told", "us", "was", "we", "were", "what", "when", "which", "while",
        "who", "why", "will", "with", "would", "you", "your",
    };

    /// <summary>The content terms of <paramref name="text"/>, in order (repeats kept, so neighbours can form phrases).</summary>
    public static IReadOnlyList<string> Of(string text) =>
        Word().Matches(text)
            .Select(match => match.Value.ToLowerInvariant())
            .Where(word => !Ignored.Contains(word))
            .Select(Singular)
            .ToList();

    // "loops" and "loop", "feedbacks" and "feedback" name the same topic; "gas" and "process" are left alone.
    private static string Singular(string word) =>
        word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) ? word[..^1] : word;

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();
}
