namespace SessionKit;

/// <summary>A summary to store. The store assigns its id and timestamp and counts its tokens.</summary>
/// <param name="FromSequence">The first sequence covered (at least 1).</param>
/// <param name="ToSequence">The last sequence covered (at least <paramref name="FromSequence"/>, at most the session's last sequence).</param>
/// <param name="Level">1 for a summary of messages; 2 or more for a summary of summaries.</param>
/// <param name="Content">The summary text; not empty.</param>
/// <param name="SummarizerId">The <see cref="ISummarizer.Id"/> of the summarizer that made it.</param>
public sealed record NewSummary(long FromSequence, long ToSequence, int Level, string Content, string SummarizerId);
