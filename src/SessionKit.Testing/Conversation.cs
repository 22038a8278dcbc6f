namespace SessionKit.Testing;

/// <summary>Deterministic, readable filler text for conversations of any length (seeded).</summary>
public static class Conversation
{
    private static readonly string[] Words =
    [
        "carbon", "ocean", "atmosphere", "forest", "emissions", "warming", "methane", "ice", "sea", "level", "temperature",
        "policy", "energy", "solar", "wind", "coal", "gas", "soil", "plants", "photosynthesis", "absorb", "release",
        "increase", "decrease", "feedback", "model", "data", "trend", "average", "global", "regional", "rainfall", "drought",
        "the", "a", "of", "and", "to", "in", "that", "is", "are", "by", "with", "from", "over", "about", "more", "less",
    ];

    /// <summary>A sentence of <paramref name="words"/> words.</summary>
    /// <param name="random">The seeded generator.</param>
    /// <param name="words">How many words.</param>
    /// <returns>The sentence, capitalized, without final punctuation.</returns>
    public static string Sentence(Random random, int words)
    {
        ArgumentNullException.ThrowIfNull(random);
        var picked = Enumerable.Range(0, Math.Max(1, words)).Select(_ => Words[random.Next(Words.Length)]).ToArray();
        picked[0] = char.ToUpperInvariant(picked[0][0]) + picked[0][1..];
        return string.Join(' ', picked);
    }

    /// <summary>A paragraph of <paramref name="sentences"/> sentences of 8 to 24 words.</summary>
    /// <param name="random">The seeded generator.</param>
    /// <param name="sentences">How many sentences.</param>
    /// <returns>The paragraph.</returns>
    public static string Paragraph(Random random, int sentences)
    {
        ArgumentNullException.ThrowIfNull(random);
        return string.Join(' ', Enumerable.Range(0, Math.Max(1, sentences)).Select(_ => Sentence(random, random.Next(8, 25)) + "."));
    }
}
