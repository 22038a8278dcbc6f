using System.Globalization;
using System.Text;

namespace SessionKit.Benchmarks;

/// <summary>
/// A research conversation made from a fixed seed: user questions and assistant answers in sentences with named things,
/// quantities and years, so the summarizer has what real turns give it and every run measures the same text.
/// </summary>
public static class SeededConversation
{
    private static readonly string[] Subjects =
    [
        "The carbon cycle", "Ocean heat uptake", "Arctic sea ice", "Methane from wetlands", "Permafrost thaw",
        "The IPCC AR6 report", "Soil carbon", "The Amazon rainforest", "Global mean sea level", "Coral reef bleaching",
        "The Paris Agreement", "Aerosol cooling", "The jet stream", "Greenland ice loss", "Cloud feedback",
        "The NOAA record", "Solar irradiance", "Deep ocean circulation", "Peatland drainage", "Urban heat islands",
    ];

    private static readonly string[] Verbs =
    [
        "absorbs", "releases", "depends on", "amplifies", "slows", "offsets", "tracks", "drives", "weakens", "shifts",
    ];

    private static readonly string[] Objects =
    [
        "atmospheric carbon dioxide", "the remaining carbon budget", "summer heat waves", "regional drought risk",
        "the net land sink", "surface warming", "the seasonal ice minimum", "monsoon rainfall", "storm surge heights",
        "nitrous oxide emissions", "forest regrowth", "the energy imbalance", "glacier mass balance", "crop yields",
    ];

    private static readonly string[] Modifiers =
    [
        "in most scenarios", "over the last decade", "according to satellite data", "in the tropics",
        "under high emissions", "in the North Atlantic", "when models include feedbacks", "at current rates",
    ];

    private static readonly string[] Units = ["percent", "gigatonnes", "ppm", "millimetres per year", "degrees"];

    private static readonly string[] QuestionOpenings =
    [
        "How does", "Why does", "What did you say about how", "Can you explain how", "Is it true that",
    ];

    /// <summary>
    /// Creates <paramref name="count"/> messages alternating user (first) and assistant, each with content of
    /// <paramref name="minTokens"/> to <paramref name="maxTokens"/> tokens in <see cref="SharpTokenCounter.Default"/>'s encoding.
    /// </summary>
    /// <param name="count">How many messages.</param>
    /// <param name="minTokens">The fewest content tokens of a message (at least 30).</param>
    /// <param name="maxTokens">The most content tokens of a message (at least <paramref name="minTokens"/> + 30).</param>
    /// <param name="seed">The seed; the same arguments give the same messages.</param>
    /// <returns>The messages, oldest first.</returns>
    public static NewMessage[] Create(int count, int minTokens, int maxTokens, int seed = 42)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(minTokens, 30);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, minTokens + 30);

        var random = new Random(seed);
        var counter = SharpTokenCounter.Default;
        var messages = new NewMessage[count];
        for (int i = 0; i < count; i++)
        {
            bool user = i % 2 == 0;
            string content = CreateContent(random, counter, user, minTokens, maxTokens);
            messages[i] = user ? NewMessage.User(content) : NewMessage.Assistant(content);
        }

        return messages;
    }

    // A non-cryptographic generator on purpose: the data must be reproducible, not unpredictable.
#pragma warning disable CA5394
    private static string CreateContent(Random random, SharpTokenCounter counter, bool user, int minTokens, int maxTokens)
    {
        int target = random.Next(minTokens, maxTokens + 1);
        var text = new StringBuilder(maxTokens * 6);
        int tokens = 0;
        bool first = true;
        while (tokens < target)
        {
            string sentence = (first ? string.Empty : " ") + (user && first ? Question(random) : Statement(random));

            // Sentences are chunked apart by the tokenizer (a leading space starts a new chunk), so counts add up.
            int sentenceTokens = counter.CountTokens(sentence);
            if (tokens + sentenceTokens > maxTokens)
            {
                if (tokens >= minTokens)
                {
                    break;
                }

                continue;
            }

            text.Append(sentence);
            tokens += sentenceTokens;
            first = false;
        }

        return text.ToString();
    }

    private static string Question(Random random) =>
        $"{Pick(random, QuestionOpenings)} {Lower(Pick(random, Subjects))} {Pick(random, Verbs)} {Pick(random, Objects)} {Pick(random, Modifiers)}?";

    private static string Statement(Random random) => random.Next(4) switch
    {
        0 => string.Create(
            CultureInfo.InvariantCulture,
            $"{Pick(random, Subjects)} {Pick(random, Verbs)} {Pick(random, Objects)} by about {random.Next(2, 95)} {Pick(random, Units)} since {random.Next(1950, 2025)}."),
        1 => $"{Pick(random, Subjects)} is the part of the system that {Pick(random, Verbs)} {Pick(random, Objects)}.",
        2 => $"{Pick(random, Subjects)} {Pick(random, Verbs)} {Pick(random, Objects)} {Pick(random, Modifiers)}, and {Lower(Pick(random, Subjects))} {Pick(random, Verbs)} {Pick(random, Objects)}.",
        _ => $"{Pick(random, Subjects)} {Pick(random, Verbs)} {Pick(random, Objects)} {Pick(random, Modifiers)}.",
    };

    private static string Pick(Random random, string[] words) => words[random.Next(words.Length)];
#pragma warning restore CA5394

    // Mid-sentence a subject loses its capital unless it opens with a name ("Arctic sea ice", "Greenland ice loss").
    private static string Lower(string phrase) =>
        phrase.StartsWith("Arctic", StringComparison.Ordinal) || phrase.StartsWith("Greenland", StringComparison.Ordinal)
            ? phrase
            : char.ToLowerInvariant(phrase[0]) + phrase[1..];
}
