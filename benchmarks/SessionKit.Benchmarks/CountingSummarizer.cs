namespace SessionKit.Benchmarks;

/// <summary>Passes requests to another summarizer and counts them, so a benchmark can show a build made no call.</summary>
/// <param name="inner">The summarizer that does the work.</param>
public sealed class CountingSummarizer(ISummarizer inner) : ISummarizer
{
    private int _calls;

    /// <summary>How many requests were made so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <inheritdoc />
    public string Id => inner.Id;

    /// <inheritdoc />
    public Task<SummarizationResult> SummarizeAsync(SummarizationRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return inner.SummarizeAsync(request, cancellationToken);
    }
}
