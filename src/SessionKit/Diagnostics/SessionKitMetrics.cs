using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SessionKit;

/// <summary>
/// SessionKit's instruments, on one <see cref="Meter"/> named <c>SessionKit</c>. From dependency injection the meter comes
/// from the container's <see cref="IMeterFactory"/> (so it is disposed with the container and can be observed in tests);
/// code built by hand uses <see cref="Default"/>, a process-wide meter of the same name.
/// </summary>
internal sealed class SessionKitMetrics
{
    // OpenTelemetry's recommended boundaries for database client durations, in seconds; they suit every operation here.
    private static readonly double[] DurationBuckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

    private static readonly Lazy<SessionKitMetrics> Shared = new(() => new SessionKitMetrics(null));

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a new meter when it is <see langword="null"/>.</summary>
    public SessionKitMetrics(IMeterFactory? meterFactory)
    {
        var options = new MeterOptions(SessionKitDiagnostics.Name) { Version = typeof(SessionKitMetrics).Assembly.GetName().Version?.ToString(3) };
        Meter = meterFactory?.Create(options) ?? new Meter(options);
        var durationAdvice = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };
        DbOperationDuration = Meter.CreateHistogram(
            "db.client.operation.duration", "s", "Duration of SessionKit store operations.", advice: durationAdvice);
        OperationDuration = Meter.CreateHistogram(
            "sessionkit.operation.duration", "s", "Duration of SessionKit operations above the store: context builds, summarizer calls, sweeps, chat requests.", advice: durationAdvice);
        MessagesAppended = Meter.CreateCounter<long>("sessionkit.messages.appended", "{message}", "Messages appended.");
        SummarizerCalls = Meter.CreateCounter<long>("sessionkit.summarizer.calls", "{call}", "Summarizer calls made while building context.");
        SummarizerFailures = Meter.CreateCounter<long>("sessionkit.summarizer.failures", "{call}", "Summarizer calls that failed or timed out (the build fell back).");
        ContextTokens = Meter.CreateHistogram<int>("sessionkit.context.tokens", "{token}", "Tokens used by each built context window.");
        ContextBudget = Meter.CreateHistogram<int>("sessionkit.context.budget", "{token}", "Token budget of each built context window.");
        ContextUtilization = Meter.CreateHistogram<double>("sessionkit.context.utilization", "1", "Tokens used divided by the budget, per built context window.");
        RecallHits = Meter.CreateCounter<long>("sessionkit.recall.hits", "{message}", "Older messages recalled verbatim into context windows by the query.");
    }

    /// <summary>The shared instruments of code built without dependency injection.</summary>
    public static SessionKitMetrics Default => Shared.Value;

    public Meter Meter { get; }

    public Histogram<double> DbOperationDuration { get; }

    public Histogram<double> OperationDuration { get; }

    public Counter<long> MessagesAppended { get; }

    public Counter<long> SummarizerCalls { get; }

    public Counter<long> SummarizerFailures { get; }

    public Histogram<int> ContextTokens { get; }

    public Histogram<int> ContextBudget { get; }

    public Histogram<double> ContextUtilization { get; }

    public Counter<long> RecallHits { get; }

    /// <summary>The instruments registered in <paramref name="services"/>, or <see cref="Default"/>.</summary>
    public static SessionKitMetrics From(IServiceProvider? services) =>
        services?.GetService(typeof(SessionKitMetrics)) as SessionKitMetrics ?? Default;

    /// <summary>Records one operation above the store in <see cref="OperationDuration"/>; <paramref name="errorType"/> names the failure, <see langword="null"/> for success.</summary>
    public void RecordOperation(string operation, long startedTimestamp, string? errorType = null)
    {
        if (!OperationDuration.Enabled)
        {
            return;
        }

        var tags = new TagList { { SessionKitDiagnostics.Operation, operation } };
        if (errorType is not null)
        {
            tags.Add(SessionKitDiagnostics.ErrorType, errorType);
        }

        OperationDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
    }
}
