using System.Text;

namespace ResearchAssistant;

/// <summary>Fits text to the console: one-line previews and word-wrapped paragraphs.</summary>
internal static class ConsoleText
{
    public const int LineWidth = 110;

    /// <summary>The text on one line (line breaks shown as " / "), cut at a word boundary to <paramref name="width"/> characters.</summary>
    public static string Preview(string text, int width)
    {
        string oneLine = string.Join(" / ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (oneLine.Length <= width)
        {
            return oneLine;
        }

        int cut = oneLine.LastIndexOf(' ', width - 1);
        return oneLine[..(cut > width / 2 ? cut : width - 1)].TrimEnd(',', ';', ':') + "…";
    }

    /// <summary>The text wrapped at word boundaries, each line starting with <paramref name="indent"/>.</summary>
    public static IEnumerable<string> Wrap(string text, string indent)
    {
        var line = new StringBuilder(indent);
        foreach (string word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > indent.Length && line.Length + 1 + word.Length > LineWidth)
            {
                yield return line.ToString();
                line.Clear().Append(indent);
            }

            if (line.Length > indent.Length)
            {
                line.Append(' ');
            }

            line.Append(word);
        }

        yield return line.ToString();
    }
}
