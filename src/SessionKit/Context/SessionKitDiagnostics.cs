using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SessionKit;

/// <summary>The one <see cref="ActivitySource"/> and <see cref="Meter"/> named <c>SessionKit</c>, picked up by OpenTelemetry with no extra package.</summary>
internal static class SessionKitDiagnostics
{
    public const string Name = "SessionKit";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);

    public static readonly Histogram<double> ContextBuildDuration = Meter.CreateHistogram<double>(
        "sessionkit.context.build.duration", "ms", "Time to build a context window.");

    public static readonly Counter<long> SummarizerCalls = Meter.CreateCounter<long>(
        "sessionkit.summarizer.calls", "{call}", "Summarizer calls made while building context.");

    public static readonly Counter<long> SummarizerFailures = Meter.CreateCounter<long>(
        "sessionkit.summarizer.failures", "{call}", "Summarizer calls that failed or timed out (the build fell back).");
}
