using Microsoft.Data.Sqlite;
using NUnit.Framework;

namespace SessionKit.Benchmarks.Tests;

/// <summary>The search corpus cache: a file of an older schema is migrated by the store instead of seeded again.</summary>
public sealed class SearchCorpusDatabaseTests
{
    [Test]
    public async Task ACachedFileOfAnOlderSchema_IsCopiedAndMigrated_NotSeededAgain()
    {
        string cache = Path.Combine(Path.GetTempPath(), "sessionkit-bench-cache-test", Guid.CreateVersion7().ToString("N"));
        try
        {
            var first = await SearchCorpusDatabase.OpenOrSeedAsync(1_000, cache);
            Assert.That(first.Seeded, Is.True);
            long matches = Matches(first.Path);

            // Pretend the cache was written under the previous schema by giving the file the older number in its name (its
            // content is current, so the store's migration is a no-op here; migrations themselves are tested in the store's
            // own suites). What is checked: found, copied, opened through the store, renamed, counted as not seeded.
            int schema = UserVersion(first.Path);
            string older = first.Path.Replace($"-schema{schema}.db", $"-schema{schema - 1}.db", StringComparison.Ordinal);
            File.Move(first.Path, older);

            var second = await SearchCorpusDatabase.OpenOrSeedAsync(1_000, cache);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(second.Seeded, Is.False, "taken from the older file");
                Assert.That(second.Path, Is.EqualTo(first.Path));
                Assert.That(File.Exists(older), Is.True, "the older file is copied, not moved");
                Assert.That(UserVersion(second.Path), Is.EqualTo(schema));
                Assert.That(Matches(second.Path), Is.EqualTo(matches).And.GreaterThan(0));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(cache, recursive: true);
        }
    }

    private static int UserVersion(string path) => Convert.ToInt32(Scalar(path, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);

    private static long Matches(string path) => (long)Scalar(path, "SELECT count(*) FROM messages;")!;

    private static object? Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
