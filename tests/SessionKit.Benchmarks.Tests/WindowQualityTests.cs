using NUnit.Framework;

namespace SessionKit.Benchmarks.Tests;

/// <summary>A smoke run of the window-quality report on small data: it measures, and the figures are shares.</summary>
public sealed class WindowQualityTests
{
    [Test]
    public async Task PrefixReuse_IsMeasuredForTheSlidingWindowAndEveryLayout()
    {
        var rows = await WindowQuality.MeasurePrefixReuseAsync(turns: 30, budget: 1500);

        Assert.That(rows.Select(r => r.Name), Has.Some.StartsWith("sliding window"));
        Assert.That(rows.Select(r => r.Name), Has.Some.Contains("CacheStable"));
        Assert.That(rows.Select(r => r.AverageReuse), Is.All.InRange(0.0, 1.0));
        Assert.That(rows.Select(r => r.Turns), Is.All.EqualTo(29));
    }

    [Test]
    public async Task Recall_IsMeasuredOnTheSeededRecallSet()
    {
        var rows = await WindowQuality.MeasureRecallAsync(facts: 6, budget: 2000);

        Assert.That(rows, Is.Not.Empty);
        Assert.That(rows.Select(r => r.Probes), Is.All.EqualTo(6));
        Assert.That(rows.All(r => r.FactVerbatim <= r.FactAnywhere && r.FactAnywhere <= r.Probes));
    }
}
