using System.Globalization;

namespace SessionKit;

/// <summary>A sentence of the block being summarized, with the features it is scored by.</summary>
internal sealed class Sentence
{
    private const int StackWordLimit = 128;

    private Sentence(int unit, int index, int indexInUnit, string text, bool isCode)
    {
        Unit = unit;
        Index = index;
        IndexInUnit = indexInUnit;
        Text = text;
        IsCode = isCode;
        IsQuestion = text.TrimEnd('"', '\'', '’', '”', ')', ']').EndsWith('?');
    }

    /// <summary>The unit (message, or line of a summary) the sentence belongs to.</summary>
    public int Unit { get; }

    /// <summary>The position in the whole block; the tie-break that keeps selection deterministic.</summary>
    public int Index { get; }

    /// <summary>The position within its unit.</summary>
    public int IndexInUnit { get; }

    /// <summary>The text as it appears in the summary.</summary>
    public string Text { get; }

    /// <summary>Whether the sentence sits inside a code fence.</summary>
    public bool IsCode { get; }

    /// <summary>Whether it ends with a question mark.</summary>
    public bool IsQuestion { get; }

    /// <summary>Its distinct content terms (lower case, stopwords removed, plurals folded), in order of appearance.</summary>
    public List<string> Terms { get; } = [];

    /// <summary>Adjacent pairs of content words, as "first second".</summary>
    public List<string> Bigrams { get; } = [];

    /// <summary>The number of words.</summary>
    public int WordCount { get; private set; }

    /// <summary>The bonus for named entities, acronyms and capitalized multi-word terms.</summary>
    public double EntityBonus { get; private set; }

    /// <summary>The bonus for quantities: numbers with units, percentages, years.</summary>
    public double QuantityBonus { get; private set; }

    /// <summary>Whether it reads as a definition ("X is", "X are", "X means").</summary>
    public bool IsDefinition { get; private set; }

    /// <summary>Whether it is small talk or a repeat, kept only when nothing else is left.</summary>
    public bool IsFiller { get; set; }

    /// <summary>The weight of each of <see cref="Terms"/> in the block (same order).</summary>
    public double[] TermWeights { get; set; } = [];

    /// <summary>The weight of each of <see cref="Bigrams"/> that recurs in the block (0 for one that does not).</summary>
    public double[] BigramWeights { get; set; } = [];

    /// <summary>The part of the score that does not depend on what is already kept: entities, quantities, definitions, answers, position.</summary>
    public double FixedScore { get; set; }

    /// <summary>The multiplier for the kind of sentence: role, code, length, small talk.</summary>
    public double Factor { get; set; } = 1.0;

    /// <summary>How much it is worth keeping, given what is already kept; set by <see cref="Rescore"/>.</summary>
    public double Score { get; private set; }

    /// <summary>
    /// Its score per square root of its length (about 4 characters a token): the order sentences are kept in, so that one
    /// long sentence does not crowd out two short ones worth nearly as much. Estimated from characters, so ranking counts no tokens.
    /// </summary>
    public double Rank { get; private set; }

    /// <summary>
    /// Recomputes <see cref="Score"/> and <see cref="Rank"/>: terms and two-word terms already <paramref name="covered"/> by
    /// kept statements count a quarter, and so do those <paramref name="asked"/> by kept questions if this is a question.
    /// </summary>
    public void Rescore(HashSet<string> covered, HashSet<string> asked)
    {
        const double CoveredWeight = 0.25;
        var salience = 0.0;
        for (var i = 0; i < Terms.Count; i++)
        {
            salience += TermWeights[i] * (IsCovered(Terms[i]) ? CoveredWeight : 1.0);
        }

        salience /= Math.Sqrt(Math.Max(4, Terms.Count));
        for (var i = 0; i < Bigrams.Count; i++)
        {
            salience += BigramWeights[i] * (IsCovered(Bigrams[i]) ? CoveredWeight : 1.0);
        }

        Score = Factor * (salience + FixedScore);
        Rank = Score / Math.Sqrt(Math.Max(8, Text.Length / 4.0));

        bool IsCovered(string term) => covered.Contains(term) || (IsQuestion && asked.Contains(term));
    }

    /// <summary>How many sentences were kept when <see cref="Score"/> was last computed.</summary>
    public int ScoredAt { get; set; }

    /// <summary>Its token count, once counted; -1 before.</summary>
    public int Tokens { get; set; } = -1;

    /// <summary>Cleans <paramref name="raw"/> and extracts its features.</summary>
    public static Sentence Create(int unit, int index, int indexInUnit, string raw, bool isCode)
    {
        var text = Clean(raw, isCode);
        var sentence = new Sentence(unit, index, indexInUnit, text, isCode);
        sentence.Analyze();
        return sentence;
    }

    private static string Clean(string raw, bool isCode)
    {
        var text = raw.Contains("**", StringComparison.Ordinal) || raw.Contains('`', StringComparison.Ordinal)
            ? raw.Replace("**", string.Empty, StringComparison.Ordinal).Replace("`", string.Empty, StringComparison.Ordinal)
            : raw;
        var marker = TextFeatures.DiscourseMarker().Match(text);
        if (marker.Success && marker.Length < text.Length)
        {
            var rest = text[marker.Length..];
            text = char.IsLower(rest[0]) ? string.Concat(char.ToUpperInvariant(rest[0]).ToString(), rest.AsSpan(1)) : rest;
        }

        text = text.Trim();

        // A line that ended without punctuation ("- oceans absorb CO2") gets a period, as it may be joined to another.
        return isCode || text.Length == 0 || text[^1] is '.' or '!' or '?' or '…' or ':' or ';' or '"' or '\'' or '’' or '”' or ')' or ']'
            ? text
            : text + ".";
    }

    private void Analyze()
    {
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        string? previousTerm = null;
        var capitalRun = 0;
        var capitalRunStartsSentence = false;
        var definitionChecked = false;
        var entityBonus = 0.0;
        Span<char> buffer = stackalloc char[StackWordLimit];

        foreach (var match in TextFeatures.Word().EnumerateMatches(Text))
        {
            var word = Text.AsSpan(match.Index, match.Length);
            var position = WordCount++;
            var lower = word.Length <= StackWordLimit ? buffer[..word.Length] : new char[word.Length];
            word.ToLowerInvariant(lower);
            lower.Replace('’', '\'');

            if (!definitionChecked && position < 8 && TextFeatures.IsDefinitionVerb(lower))
            {
                IsDefinition = Terms.Count > 0;
                definitionChecked = true;
            }

            // Entities: acronyms ("CO2", "IPCC") and runs of capitalized words ("Mauna Loa Observatory").
            var stop = TextFeatures.IsStopword(lower);
            if (IsAcronym(word))
            {
                entityBonus += 0.5;
                CloseRun(ref capitalRun, capitalRunStartsSentence, ref entityBonus);
            }
            else if (char.IsUpper(word[0]) && word.Length > 1 && !stop)
            {
                if (capitalRun == 0)
                {
                    capitalRunStartsSentence = position == 0;
                }

                capitalRun++;
            }
            else
            {
                CloseRun(ref capitalRun, capitalRunStartsSentence, ref entityBonus);
            }

            var term = stop ? null : ToTerm(lower);
            if (term is null)
            {
                previousTerm = null;
                continue;
            }

            if (distinct.Add(term))
            {
                Terms.Add(term);
            }

            if (previousTerm is not null)
            {
                Bigrams.Add(string.Concat(previousTerm, " ", term));
            }

            previousTerm = term;
        }

        CloseRun(ref capitalRun, capitalRunStartsSentence, ref entityBonus);
        EntityBonus = Math.Min(entityBonus, 1.5);

        var quantityBonus = 0.0;
        foreach (var match in TextFeatures.Quantity().EnumerateMatches(Text))
        {
            quantityBonus += QuantityWeight(Text.AsSpan(match.Index, match.Length));
        }

        QuantityBonus = Math.Min(quantityBonus, 2.0);
    }

    private static void CloseRun(ref int run, bool startsSentence, ref double bonus)
    {
        // A lone capital at the start of a sentence is just grammar.
        if (run >= 2)
        {
            bonus += 0.8;
        }
        else if (run == 1 && !startsSentence)
        {
            bonus += 0.4;
        }

        run = 0;
    }

    private static bool IsAcronym(ReadOnlySpan<char> word)
    {
        var upper = 0;
        foreach (var c in word)
        {
            if (char.IsLower(c))
            {
                return false;
            }

            if (char.IsUpper(c))
            {
                upper++;
            }
        }

        return upper >= 2;
    }

    private static double QuantityWeight(ReadOnlySpan<char> quantity)
    {
        var unit = quantity[^1];
        if (!char.IsAsciiDigit(unit) || quantity[0] is '$' or '€' or '£' or '¥')
        {
            return 1.0; // "420 ppm", "1.1 °C", "45%", "$3 billion"
        }

        if (quantity.Length == 4 && int.TryParse(quantity, NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year is >= 1800 and <= 2199)
        {
            return 0.7;
        }

        return 0.4;
    }

    private static string? ToTerm(Span<char> lower)
    {
        if (lower.EndsWith("'s"))
        {
            lower = lower[..^2];
        }

        if (lower.Length < 2 && !(lower.Length == 1 && char.IsAsciiDigit(lower[0])))
        {
            return null;
        }

        // Fold plurals so "ocean" and "oceans" are one term.
        if (lower.Length > 4 && lower.EndsWith("ies"))
        {
            lower[^3] = 'y';
            lower = lower[..^2];
        }
        else if (lower.Length > 3 && lower[^1] == 's' && lower[^2] is not ('s' or 'u' or 'i') && char.IsLetter(lower[^2]))
        {
            lower = lower[..^1];
        }

        return TextFeatures.IsStopword(lower) ? null : lower.ToString();
    }
}
