using NUnit.Framework;

namespace SessionKit.Benchmarks.Tests;

/// <summary>Keeps the benchmark suite from rotting: every benchmark must still set up, run and clean up. Timing is not checked.</summary>
public sealed class BenchmarkSuiteTests
{
    private static IEnumerable<Type> BenchmarkClasses() =>
        typeof(AppendBenchmarks).Assembly.GetTypes().Where(BenchmarkClassRunner.IsBenchmarkClass).OrderBy(type => type.FullName);

    [Test]
    public void Suite_HasBenchmarkClasses() => Assert.That(BenchmarkClasses(), Is.Not.Empty);

    [TestCaseSource(nameof(BenchmarkClasses))]
    public async Task EveryBenchmark_RunsOnceBetweenSetupAndCleanup(Type benchmarkClass)
    {
        if (benchmarkClass.Name.StartsWith("PostgreSql", StringComparison.Ordinal))
        {
            PostgreSqlServer.RequireOrIgnore();
        }

        var runner = SmokeSizes.Runner(benchmarkClass);
        Assert.That(runner.Benchmarks, Is.Not.Empty);

        await runner.GlobalSetupAsync();
        try
        {
            await runner.InvokeEachBenchmarkOnceAsync();
        }
        finally
        {
            await runner.GlobalCleanupAsync();
        }
    }
}
