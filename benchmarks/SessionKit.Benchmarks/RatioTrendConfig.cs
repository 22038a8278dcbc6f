using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;

namespace SessionKit.Benchmarks;

/// <summary>
/// Shows ratios as "N x faster" instead of a fraction, for classes whose ratios round to 0.000 otherwise, and the median
/// and 95th percentile of the iterations beside the mean: on a shared machine a few slow iterations move the mean, not the median.
/// </summary>
public sealed class RatioTrendConfig : ManualConfig
{
    /// <summary>Creates the config.</summary>
    public RatioTrendConfig()
    {
        SummaryStyle = SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend);
        AddColumn(StatisticColumn.Median, StatisticColumn.P95);
    }
}
