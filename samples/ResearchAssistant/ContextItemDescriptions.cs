using SessionKit;

namespace ResearchAssistant;

/// <summary>How the demo names a context item, in the window table and in the citations of its answers.</summary>
internal static class ContextItemDescriptions
{
    /// <summary>"system", "summary L1", "recalled" or "message".</summary>
    public static string KindOf(ContextItem item) => item.Kind switch
    {
        ContextItemKind.SystemPrompt => "system",
        ContextItemKind.Summary => $"summary L{item.SummaryLevel}",
        ContextItemKind.Recalled => "recalled",
        ContextItemKind.Message => "message",
        _ => item.Kind.ToString(),
    };

    /// <summary>The item's sequences ("#1–10", "#21"), or "—" for the system prompt, which stands for no stored message.</summary>
    public static string SequencesOf(ContextItem item) =>
        item.Kind == ContextItemKind.SystemPrompt ? "—" : item.Sequences.ToString();

    /// <summary>Where a statement came from, for a citation: "summary L1 #1–10", "message #14".</summary>
    public static string SourceOf(ContextItem item) => $"{KindOf(item)} {SequencesOf(item)}";
}
