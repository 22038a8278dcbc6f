namespace SessionKit;

/// <summary>Condenses a block of messages (or of lower-level summaries) into a shorter text.</summary>
/// <remarks>
/// SessionKit ships <see cref="ExtractiveSummarizer"/>, which is offline and deterministic; a model-backed summarizer plugs in
/// through this interface. A summarizer may fail or time out: the context builder then falls back to what fits verbatim.
/// </remarks>
public interface ISummarizer
{
    /// <summary>A stable id stored with each summary, e.g. <c>extractive/1</c>; change it when the output would change.</summary>
    string Id { get; }

    /// <summary>Summarizes the request's messages or summaries.</summary>
    /// <param name="request">What to summarize and how long the result may be.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The summary text.</returns>
    Task<SummarizationResult> SummarizeAsync(SummarizationRequest request, CancellationToken cancellationToken = default);
}
