using System.Text.RegularExpressions;
using SessionKit;

namespace ResearchAssistant;

/// <summary>Reads what the assistant said out of a context window, sentence by sentence.</summary>
internal static partial class AssistantStatements
{
    /// <summary>The assistant's sentences in every item of <paramref name="window"/>, in window order.</summary>
    public static IEnumerable<Statement> In(ContextWindow window) =>
        from item in window.Items
        from text in AssistantTextOf(item)
        from sentence in SentencesOf(text)
        select new Statement(sentence, item);

    private static IEnumerable<string> AssistantTextOf(ContextItem item) => item.Kind switch
    {
        // The extractive summarizer starts each line with its speaker ("User asked: …", "Assistant: …"); a model's
        // summary is unlabelled prose about the assistant's answers, so unlabelled lines count as the assistant's too.
        ContextItemKind.Summary => item.Content.Split('\n').Select(AssistantPartOf).OfType<string>(),
        ContextItemKind.Message or ContextItemKind.Recalled when item.Role == MessageRole.Assistant && item.ToolName is null => [item.Content],
        _ => [],
    };

    private static string? AssistantPartOf(string summaryLine)
    {
        var label = SpeakerLabel().Match(summaryLine);
        if (!label.Success)
        {
            return summaryLine;
        }

        return label.Groups["speaker"].Value == "Assistant" ? summaryLine[label.Length..] : null;
    }

    private static IEnumerable<string> SentencesOf(string text)
    {
        // Words in quotation marks are what was said before (an earlier answer quoting itself): take them as their own
        // sentences, so a quote is matched like the original and its framing ("Two days ago I said:") is not.
        foreach (string part in QuotationMark().Split(text))
        {
            foreach (string sentence in SentenceEnd().Split(part))
            {
                string trimmed = sentence.Trim(' ', '(', ')', ':', ';', ',');
                if (trimmed.Length > 0 && !trimmed.EndsWith('?'))
                {
                    yield return trimmed;
                }
            }
        }
    }

    [GeneratedRegex(@"^(?<speaker>User asked|User|Assistant called [^\s:]+|Assistant|System|Tool [^\s:]+|Tool):\s+", RegexOptions.ExplicitCapture)]
    private static partial Regex SpeakerLabel();

    [GeneratedRegex("[“”]")]
    private static partial Regex QuotationMark();

    // A sentence ends at ., ! or ? followed by a space; "1.1 °C" and "3.7 mm" have no space after the point.
    [GeneratedRegex(@"(?<=[.!?])\s+")]
    private static partial Regex SentenceEnd();
}
