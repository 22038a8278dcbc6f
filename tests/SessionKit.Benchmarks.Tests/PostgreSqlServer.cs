using NUnit.Framework;

namespace SessionKit.Benchmarks.Tests;

/// <summary>Whether the PostgreSQL benchmarks can run: they need <c>SESSIONKIT_POSTGRES</c>, which CI always sets.</summary>
internal static class PostgreSqlServer
{
    /// <summary>Ignores the calling test on a developer machine without a server; in CI a missing server fails it instead (the benchmark's set-up throws).</summary>
    public static void RequireOrIgnore()
    {
        bool required = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")) || Environment.GetEnvironmentVariable("SESSIONKIT_POSTGRES_REQUIRED") == "1";
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("SESSIONKIT_POSTGRES")) && !required)
        {
            Assert.Ignore("The PostgreSQL benchmarks need SESSIONKIT_POSTGRES (run `eval \"$(bash .ci/postgres start)\"` first).");
        }
    }
}
