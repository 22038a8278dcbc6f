using System.Globalization;

namespace SessionKit.Benchmarks;

/// <summary>What <see cref="ContextBuildBenchmarks"/> stored before measuring, and how long it took.</summary>
/// <param name="MessageCount">Messages in the session.</param>
/// <param name="Backend">The store.</param>
/// <param name="MessageTokens">The total cached token count of the messages.</param>
/// <param name="SummariesByLevel">How many summaries each level has, level 1 first.</param>
/// <param name="SummarizerCalls">Summarizer calls made to persist them.</param>
/// <param name="Generate">Time to generate the seeded texts.</param>
/// <param name="Append">Time to append the messages.</param>
/// <param name="Summarize">Time to make and persist the summaries.</param>
public sealed record ContextBuildSetup(
    int MessageCount,
    StoreBackend Backend,
    long MessageTokens,
    IReadOnlyList<int> SummariesByLevel,
    int SummarizerCalls,
    TimeSpan Generate,
    TimeSpan Append,
    TimeSpan Summarize)
{
    /// <summary>Time of the whole set-up.</summary>
    public TimeSpan Total => Generate + Append + Summarize;

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"Setup {MessageCount} messages ({MessageTokens} tokens) on {Backend}: generate {Generate.TotalSeconds:0.00} s, " +
        $"append {Append.TotalSeconds:0.00} s, summarize {Summarize.TotalSeconds:0.00} s ({SummarizerCalls} summarizer calls; " +
        $"summaries by level {string.Join("/", SummariesByLevel)}), total {Total.TotalSeconds:0.00} s");
}
