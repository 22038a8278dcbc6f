using System.Collections.Frozen;

namespace SessionKit;

/// <summary>Splits chat text into lines (Markdown markers removed) and lines into sentences.</summary>
internal static class SentenceSplitter
{
    // A period after these does not end a sentence, even before a capital ("e.g. Paris", "Dr. Keeling").
    // Words that often end a sentence ("etc.", "no.", "inc.") are deliberately absent.
    private static readonly FrozenSet<string> Abbreviations = new[]
    {
        "e.g", "i.e", "cf", "vs", "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "approx", "ca", "fig", "figs",
        "vol", "al", "eq", "ref", "dept", "u.s", "u.k",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> AbbreviationLookup =
        Abbreviations.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The non-empty lines of <paramref name="text"/>, without Markdown list, heading and quote markers or code fences.</summary>
    public static List<Line> SplitLines(string text)
    {
        var lines = new List<Line>();
        var inCode = false;
        foreach (var range in text.AsSpan().Split('\n'))
        {
            var line = text.AsSpan(range).Trim();
            if (line.StartsWith("```", StringComparison.Ordinal) || line.StartsWith("~~~", StringComparison.Ordinal))
            {
                inCode = !inCode;
                continue;
            }

            if (!inCode)
            {
                line = StripMarkers(line);
            }

            if (HasLetterOrDigit(line))
            {
                lines.Add(new Line(line.ToString(), inCode));
            }
        }

        return lines;
    }

    /// <summary>Adds the sentences of one line to <paramref name="sentences"/>.</summary>
    public static void SplitSentences(string line, List<string> sentences)
    {
        var start = 0;
        var i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (c is not ('.' or '!' or '?' or '…'))
            {
                i++;
                continue;
            }

            var end = i + 1;
            while (end < line.Length && line[end] is '.' or '!' or '?' or '…')
            {
                end++;
            }

            var terminatorEnd = end;
            while (end < line.Length && line[end] is '"' or '\'' or '’' or '”' or ')' or ']')
            {
                end++;
            }

            // "1.5", "example.com", "U.S.A": no space after the mark, no sentence end.
            if (end >= line.Length || !char.IsWhiteSpace(line[end]))
            {
                i = end;
                continue;
            }

            var next = end;
            while (next < line.Length && char.IsWhiteSpace(line[next]))
            {
                next++;
            }

            if (next < line.Length && EndsSentence(line, i, terminatorEnd, line[next]))
            {
                Add(line.AsSpan(start, end - start), sentences);
                start = next;
            }

            i = next;
        }

        Add(line.AsSpan(start), sentences);
    }

    private static bool EndsSentence(string line, int markStart, int markEnd, char next)
    {
        if (char.IsLower(next))
        {
            return false; // "e.g. the", "approx. five", "wait... what"
        }

        var singlePeriod = markEnd - markStart == 1 && line[markStart] == '.';
        return !singlePeriod || !IsAbbreviationOrInitial(line, markStart);
    }

    private static bool IsAbbreviationOrInitial(string line, int dot)
    {
        var start = dot;
        while (start > 0 && (char.IsLetter(line[start - 1]) || line[start - 1] == '.'))
        {
            start--;
        }

        var word = line.AsSpan(start, dot - start);
        if (word.IsEmpty)
        {
            return false;
        }

        if (word.Length == 1)
        {
            // An initial ("C. D. Keeling"), but not a unit ("1.1 °C.") or the end of a longer token ("CO2-C.").
            return char.IsUpper(word[0]) && (start == 0 || char.IsWhiteSpace(line[start - 1]) || line[start - 1] == '(');
        }

        return AbbreviationLookup.Contains(word);
    }

    private static void Add(ReadOnlySpan<char> sentence, List<string> sentences)
    {
        sentence = sentence.Trim();
        if (HasLetterOrDigit(sentence))
        {
            sentences.Add(sentence.ToString());
        }
    }

    private static ReadOnlySpan<char> StripMarkers(ReadOnlySpan<char> line)
    {
        while (true)
        {
            var before = line.Length;
            line = line.TrimStart('#').TrimStart('>').TrimStart();
            if (line.Length >= 2 && line[0] is '-' or '*' or '+' or '•' or '–' && char.IsWhiteSpace(line[1]))
            {
                line = line[2..].TrimStart();
            }

            var digits = 0;
            while (digits < line.Length && digits < 3 && char.IsAsciiDigit(line[digits]))
            {
                digits++;
            }

            if (digits > 0 && line.Length > digits + 1 && line[digits] is '.' or ')' && char.IsWhiteSpace(line[digits + 1]))
            {
                line = line[(digits + 2)..].TrimStart();
            }

            if (line.Length == before)
            {
                return line;
            }
        }
    }

    private static bool HasLetterOrDigit(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A line of text and whether it sits inside a code fence.</summary>
    public readonly record struct Line(string Text, bool IsCode);
}
