namespace SessionKit.Benchmarks.Tests;

/// <summary>
/// Sizes small enough to run a benchmark once in well under a second yet large enough to take the same code paths, for
/// the classes whose first parameter values take longer than that to set up.
/// </summary>
internal static class SmokeSizes
{
    /// <summary>
    /// Messages in the context benchmarks' session: enough for a verbatim tail of ~3,000 tokens, more level-1 summaries
    /// than the summary share holds, and a level-2 roll-up.
    /// </summary>
    public const int ContextMessageCount = 200;

    /// <summary>Messages stored for the search benchmarks: a few per session of each of the 100 users.</summary>
    public const int SearchTotalMessages = 3_000;

    /// <summary>A runner for <paramref name="type"/> with its first parameter values, shrunk where a smoke size is set.</summary>
    public static BenchmarkClassRunner Runner(Type type)
    {
        var runner = BenchmarkClassRunner.For(type);
        if (type == typeof(ContextBuildBenchmarks))
        {
            runner.SetParam(nameof(ContextBuildBenchmarks.MessageCount), ContextMessageCount);
        }

        if (type == typeof(SearchBenchmarks))
        {
            runner.SetParam(nameof(SearchBenchmarks.TotalMessages), SearchTotalMessages);
        }

        if (type == typeof(PostgreSqlContextBuildBenchmarks))
        {
            runner.SetParam(nameof(PostgreSqlContextBuildBenchmarks.MessageCount), ContextMessageCount);
        }

        if (type == typeof(PostgreSqlSearchBenchmarks))
        {
            runner.SetParam(nameof(PostgreSqlSearchBenchmarks.TotalMessages), SearchTotalMessages);
        }

        if (type == typeof(SemanticSearchBenchmarks))
        {
            runner.SetParam(nameof(SemanticSearchBenchmarks.Messages), 500);
        }

        if (type == typeof(EncryptionBenchmarks))
        {
            runner.SetParam(nameof(EncryptionBenchmarks.SearchMessages), 1_000);
        }

        return runner;
    }
}
