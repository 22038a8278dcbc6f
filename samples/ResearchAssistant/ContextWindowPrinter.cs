using SessionKit;

namespace ResearchAssistant;

/// <summary>Shows a context window as a table: what each item is, what it stands for and what it costs.</summary>
internal sealed class ContextWindowPrinter(TextWriter output)
{
    private const int KindWidth = 12;
    private const int SequencesWidth = 10;
    private const int TokensWidth = 6;
    private const int PreviewWidth = ConsoleText.LineWidth - 2 - KindWidth - SequencesWidth - TokensWidth - 6;

    public void Print(ContextWindow window)
    {
        output.WriteLine("Context window built for the reply (what a model would be sent):");
        output.WriteLine($"  {"kind",-KindWidth} {"sequences",-SequencesWidth} {"tokens",TokensWidth}   preview");
        foreach (var item in window.Items)
        {
            output.WriteLine(
                $"  {ContextItemDescriptions.KindOf(item),-KindWidth} {ContextItemDescriptions.SequencesOf(item),-SequencesWidth} {item.TokenCount,TokensWidth}   {ConsoleText.Preview(PreviewOf(item), PreviewWidth)}");
        }

        output.WriteLine($"  total {window.TotalTokens} / budget {window.TokenBudget} tokens (encoding {window.TokenEncoding}), including {window.RequestOverheadTokens} tokens of request overhead");
        output.WriteLine($"  summaries created this build: {window.SummariesCreated}");
        output.WriteLine($"  omitted ranges: {(window.OmittedRanges.Count == 0 ? "none" : string.Join(", ", window.OmittedRanges))}");
        output.WriteLine($"  fallback: {window.FallbackReason ?? "none"}");
        output.WriteLine();
    }

    // Summaries carry their speakers in the text; a message shows whose it is.
    private static string PreviewOf(ContextItem item) => item.Kind switch
    {
        ContextItemKind.Message or ContextItemKind.Recalled => $"{ConversationPrinter.Speaker(item.Role)}: {item.Content}",
        _ => item.Content,
    };
}
