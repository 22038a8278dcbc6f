using System.Text;
using SessionKit.Storage;

namespace SessionKit;

/// <summary>
/// The Porter stemmer exactly as SQLite FTS5's <c>porter</c> tokenizer runs it (<c>fts5PorterCb</c> in
/// <c>ext/fts5/fts5_tokenize.c</c>), so the in-memory store matches the same words the SQLite store does.
/// </summary>
/// <remarks>
/// <para>FTS5's variant differs from the 1980 paper only at the edges (the words "eed" and "ies" become "e" and "ie"),
/// and it works on the UTF-8 bytes of a word: words of fewer than 3 or more than 64 bytes are left alone, every other
/// word is stemmed, and bytes of non-ASCII characters count as consonants ("straßes" becomes "straß", "москвы" stays).
/// Suffix rules only ever match ASCII letters.</para>
/// <para>The result is a key for the index, not text: one <see langword="char"/> per UTF-8 byte (Latin-1), because a
/// rule can in principle cut a multi-byte character in half, as FTS5 would. For ASCII words it is the stem itself.</para>
/// </remarks>
internal static class PorterStemmer
{
    private const int MaxTokenBytes = 64;

    private enum Condition
    {
        None,
        MeasureAboveZero,
        MeasureAboveOne,
        MeasureAboveOneEndingInSOrT,
        HasVowel,
    }

    private readonly record struct Rule(string Suffix, string Output, Condition Condition);

    // Each step's rules in the order of FTS5's generated code (within one penultimate letter, the first matching
    // suffix is the only one tried, even when its condition then fails).
    private static readonly Rule[] Step1B =
    [
        new("eed", "ee", Condition.MeasureAboveZero),
        new("ed", "", Condition.HasVowel),
        new("ing", "", Condition.HasVowel),
    ];

    private static readonly Rule[] Step1B2 =
    [
        new("at", "ate", Condition.None),
        new("bl", "ble", Condition.None),
        new("iz", "ize", Condition.None),
    ];

    private static readonly Rule[] Step2 =
    [
        new("ational", "ate", Condition.MeasureAboveZero),
        new("tional", "tion", Condition.MeasureAboveZero),
        new("enci", "ence", Condition.MeasureAboveZero),
        new("anci", "ance", Condition.MeasureAboveZero),
        new("izer", "ize", Condition.MeasureAboveZero),
        new("logi", "log", Condition.MeasureAboveZero),
        new("bli", "ble", Condition.MeasureAboveZero),
        new("alli", "al", Condition.MeasureAboveZero),
        new("entli", "ent", Condition.MeasureAboveZero),
        new("eli", "e", Condition.MeasureAboveZero),
        new("ousli", "ous", Condition.MeasureAboveZero),
        new("ization", "ize", Condition.MeasureAboveZero),
        new("ation", "ate", Condition.MeasureAboveZero),
        new("ator", "ate", Condition.MeasureAboveZero),
        new("alism", "al", Condition.MeasureAboveZero),
        new("iveness", "ive", Condition.MeasureAboveZero),
        new("fulness", "ful", Condition.MeasureAboveZero),
        new("ousness", "ous", Condition.MeasureAboveZero),
        new("aliti", "al", Condition.MeasureAboveZero),
        new("iviti", "ive", Condition.MeasureAboveZero),
        new("biliti", "ble", Condition.MeasureAboveZero),
    ];

    private static readonly Rule[] Step3 =
    [
        new("ical", "ic", Condition.MeasureAboveZero),
        new("ness", "", Condition.MeasureAboveZero),
        new("icate", "ic", Condition.MeasureAboveZero),
        new("iciti", "ic", Condition.MeasureAboveZero),
        new("ful", "", Condition.MeasureAboveZero),
        new("ative", "", Condition.MeasureAboveZero),
        new("alize", "al", Condition.MeasureAboveZero),
    ];

    private static readonly Rule[] Step4 =
    [
        new("al", "", Condition.MeasureAboveOne),
        new("ance", "", Condition.MeasureAboveOne),
        new("ence", "", Condition.MeasureAboveOne),
        new("er", "", Condition.MeasureAboveOne),
        new("ic", "", Condition.MeasureAboveOne),
        new("able", "", Condition.MeasureAboveOne),
        new("ible", "", Condition.MeasureAboveOne),
        new("ant", "", Condition.MeasureAboveOne),
        new("ement", "", Condition.MeasureAboveOne),
        new("ment", "", Condition.MeasureAboveOne),
        new("ent", "", Condition.MeasureAboveOne),
        new("ion", "", Condition.MeasureAboveOneEndingInSOrT),
        new("ou", "", Condition.MeasureAboveOne),
        new("ism", "", Condition.MeasureAboveOne),
        new("ate", "", Condition.MeasureAboveOne),
        new("iti", "", Condition.MeasureAboveOne),
        new("ous", "", Condition.MeasureAboveOne),
        new("ive", "", Condition.MeasureAboveOne),
        new("ize", "", Condition.MeasureAboveOne),
    ];

    /// <summary>Stems one normalized word (from <see cref="SearchText.Words"/>) as FTS5's porter tokenizer would.</summary>
    /// <param name="word">A word: lower case, no diacritics.</param>
    /// <returns>The index key of the stem (see the remarks on the class).</returns>
    public static string Stem(string word)
    {
        int length = Encoding.UTF8.GetByteCount(word);
        if (length > MaxTokenBytes)
        {
            return Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(word));
        }

        // Rules append at most one byte more than they remove, and FTS5's own buffer has the same slack.
        Span<byte> buffer = stackalloc byte[MaxTokenBytes + 64];
        int n = Encoding.UTF8.GetBytes(word, buffer);
        if (n >= 3)
        {
            n = StemInPlace(buffer, n);
        }

        return Encoding.Latin1.GetString(buffer[..n]);
    }

    /// <summary>
    /// Whether <see cref="Stem"/> of an ASCII word is <paramref name="stem"/>, without allocating: the cheap test a
    /// highlighter runs on every word of a hit.
    /// </summary>
    /// <param name="word">A word of ASCII letters and digits, in any case (it is lower-cased here, as the tokenizer would).</param>
    /// <param name="stem">An index key from <see cref="Stem"/>.</param>
    /// <returns><see langword="true"/> when the word's stem is <paramref name="stem"/>.</returns>
    /// <remarks>
    /// Most words are rejected before stemming. A rule only ever rewrites a word's end: the stem is never longer than the
    /// word, and it agrees with the word on every character but its last two (the widest rewrite, "bility" → "ble",
    /// changes two; all others change at most one, and later steps only cut the stem shorter).
    /// </remarks>
    public static bool StemEquals(ReadOnlySpan<char> word, string stem)
    {
        if (stem.Length > word.Length)
        {
            return false;
        }

        // ASCII letters and digits lower-case with one bit: 'A'..'Z' | 0x20 = 'a'..'z', digits keep it set already.
        int agreed = Math.Max(0, stem.Length - 2);
        for (int i = 0; i < agreed; i++)
        {
            if ((char)(word[i] | 0x20) != stem[i])
            {
                return false;
            }
        }

        if (word.Length > MaxTokenBytes)
        {
            // Left alone, as in Stem.
            if (word.Length != stem.Length)
            {
                return false;
            }

            for (int i = agreed; i < word.Length; i++)
            {
                if ((char)(word[i] | 0x20) != stem[i])
                {
                    return false;
                }
            }

            return true;
        }

        Span<byte> buffer = stackalloc byte[MaxTokenBytes + 64];
        for (int i = 0; i < word.Length; i++)
        {
            buffer[i] = (byte)(word[i] | 0x20);
        }

        int n = word.Length >= 3 ? StemInPlace(buffer, word.Length) : word.Length;
        if (n != stem.Length)
        {
            return false;
        }

        for (int i = agreed; i < n; i++)
        {
            if (buffer[i] != stem[i])
            {
                return false;
            }
        }

        return true;
    }

    private static int StemInPlace(Span<byte> buf, int n)
    {
        // Step 1a: sses -> ss, ies -> i, ss -> ss, s -> "".
        if (buf[n - 1] == 's')
        {
            if (buf[n - 2] == 'e')
            {
                n -= (n > 4 && buf[n - 4] == 's' && buf[n - 3] == 's') || (n > 3 && buf[n - 3] == 'i') ? 2 : 1;
            }
            else if (buf[n - 2] != 's')
            {
                n--;
            }
        }

        // Step 1b, and its clean-up when "ed" or "ing" was removed.
        if (Apply(buf, ref n, Step1B, out var removed) && removed.Suffix != "eed" && !Apply(buf, ref n, Step1B2, out _))
        {
            byte c = buf[n - 1];
            if (!IsVowel(c, false) && c != 'l' && c != 's' && c != 'z' && n >= 2 && c == buf[n - 2])
            {
                n--;
            }
            else if (MeasureIsOne(buf[..n]) && EndsConsonantVowelConsonant(buf[..n]))
            {
                buf[n++] = (byte)'e';
            }
        }

        // Step 1c: y -> i after a vowel.
        if (buf[n - 1] == 'y' && HasVowel(buf[..(n - 1)]))
        {
            buf[n - 1] = (byte)'i';
        }

        Apply(buf, ref n, Step2, out _);
        Apply(buf, ref n, Step3, out _);
        Apply(buf, ref n, Step4, out _);

        // Step 5a: drop a final e when m > 1, or m = 1 and not *o.
        if (buf[n - 1] == 'e')
        {
            var stem = buf[..(n - 1)];
            if (MeasureAboveOne(stem) || (MeasureIsOne(stem) && !EndsConsonantVowelConsonant(stem)))
            {
                n--;
            }
        }

        // Step 5b: ll -> l when m > 1.
        if (n > 1 && buf[n - 1] == 'l' && buf[n - 2] == 'l' && MeasureAboveOne(buf[..(n - 1)]))
        {
            n--;
        }

        return n;
    }

    /// <summary>
    /// Applies the first rule whose suffix ends the word (and is shorter than it). Returns whether that rule's condition
    /// held and so it was applied; a matching suffix whose condition fails stops the step, as in FTS5.
    /// </summary>
    private static bool Apply(Span<byte> buf, ref int n, Rule[] rules, out Rule applied)
    {
        foreach (var rule in rules)
        {
            int suffix = rule.Suffix.Length;
            if (n <= suffix || !EndsWith(buf[..n], rule.Suffix))
            {
                continue;
            }

            int stem = n - suffix;
            applied = rule;
            if (!Holds(rule.Condition, buf[..stem]))
            {
                return false;
            }

            for (int i = 0; i < rule.Output.Length; i++)
            {
                buf[stem + i] = (byte)rule.Output[i];
            }

            n = stem + rule.Output.Length;
            return true;
        }

        applied = default;
        return false;
    }

    private static bool EndsWith(ReadOnlySpan<byte> word, string suffix)
    {
        int start = word.Length - suffix.Length;
        for (int i = 0; i < suffix.Length; i++)
        {
            if (word[start + i] != suffix[i])
            {
                return false;
            }
        }

        return true;
    }

    private static bool Holds(Condition condition, ReadOnlySpan<byte> stem) => condition switch
    {
        Condition.MeasureAboveZero => GobbleVowelsThenConsonant(stem, false) != 0,
        Condition.MeasureAboveOne => MeasureAboveOne(stem),
        Condition.MeasureAboveOneEndingInSOrT => (stem[^1] == 's' || stem[^1] == 't') && MeasureAboveOne(stem),
        Condition.HasVowel => HasVowel(stem),
        _ => true,
    };

    private static bool IsVowel(byte c, bool yIsVowel) =>
        c is (byte)'a' or (byte)'e' or (byte)'i' or (byte)'o' or (byte)'u' || (yIsVowel && c == 'y');

    // Skips consonants up to a vowel, then vowels up to a consonant; returns the length consumed (one "VC" of the
    // measure m), or 0 when there is no such pair. 'y' is a vowel after a consonant.
    private static int GobbleVowelsThenConsonant(ReadOnlySpan<byte> stem, bool previousIsConsonant)
    {
        bool consonant = previousIsConsonant;
        int i;
        for (i = 0; i < stem.Length; i++)
        {
            consonant = !IsVowel(stem[i], consonant);
            if (!consonant)
            {
                break;
            }
        }

        for (i++; i < stem.Length; i++)
        {
            consonant = !IsVowel(stem[i], consonant);
            if (consonant)
            {
                return i + 1;
            }
        }

        return 0;
    }

    private static bool MeasureAboveOne(ReadOnlySpan<byte> stem)
    {
        int n = GobbleVowelsThenConsonant(stem, false);
        return n != 0 && GobbleVowelsThenConsonant(stem[n..], true) != 0;
    }

    private static bool MeasureIsOne(ReadOnlySpan<byte> stem)
    {
        int n = GobbleVowelsThenConsonant(stem, false);
        return n != 0 && GobbleVowelsThenConsonant(stem[n..], true) == 0;
    }

    // *o: the stem ends consonant-vowel-consonant and the last consonant is not w, x or y.
    private static bool EndsConsonantVowelConsonant(ReadOnlySpan<byte> stem)
    {
        byte last = stem[^1];
        if (last is (byte)'w' or (byte)'x' or (byte)'y')
        {
            return false;
        }

        uint mask = 0;
        bool consonant = false;
        foreach (byte c in stem)
        {
            consonant = !IsVowel(c, consonant);
            mask = unchecked((mask << 1) + (consonant ? 1u : 0u));
        }

        return (mask & 0x7) == 0x5;
    }

    // *v*: the stem contains a vowel ('y' counts from the second letter on).
    private static bool HasVowel(ReadOnlySpan<byte> stem)
    {
        for (int i = 0; i < stem.Length; i++)
        {
            if (IsVowel(stem[i], i > 0))
            {
                return true;
            }
        }

        return false;
    }
}
