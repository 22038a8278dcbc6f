namespace SessionKit.Benchmarks;

/// <summary>Message texts made from a fixed vocabulary and a fixed seed, so every run measures the same bytes.</summary>
public static class SeededMessages
{
    /// <summary>The length of a generated message: ASCII only, so also its size in UTF-8 bytes.</summary>
    public const int Length = 300;

    private static readonly string[] Vocabulary =
    [
        "carbon", "cycle", "ocean", "atmosphere", "forest", "emission", "warming", "model", "scenario", "budget",
        "sink", "methane", "ice", "sea", "level", "heat", "wave", "drought", "policy", "energy",
        "the", "a", "of", "and", "to", "in", "is", "that", "by", "for",
    ];

    /// <summary>Creates <paramref name="count"/> distinct messages of exactly <see cref="Length"/> characters.</summary>
    /// <param name="count">How many messages.</param>
    /// <param name="seed">The seed; the same seed gives the same messages.</param>
    /// <returns>The messages.</returns>
    public static string[] Create(int count, int seed = 42)
    {
        var random = new Random(seed);
        var messages = new string[count];
        for (int i = 0; i < count; i++)
        {
            messages[i] = CreateOne(random);
        }

        return messages;
    }

    private static string CreateOne(Random random)
    {
        var text = new System.Text.StringBuilder(Length + 16);
        while (text.Length < Length)
        {
            // A non-cryptographic generator on purpose: the data must be reproducible, not unpredictable.
#pragma warning disable CA5394
            text.Append(Vocabulary[random.Next(Vocabulary.Length)]).Append(' ');
#pragma warning restore CA5394
        }

        return text.ToString(0, Length);
    }
}
