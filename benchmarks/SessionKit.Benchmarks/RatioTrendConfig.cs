using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;

namespace SessionKit.Benchmarks;

/// <summary>Shows ratios as "N x faster" instead of a fraction, for classes whose ratios round to 0.000 otherwise.</summary>
public sealed class RatioTrendConfig : ManualConfig
{
    /// <summary>Creates the config.</summary>
    public RatioTrendConfig() => SummaryStyle = SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend);
}
