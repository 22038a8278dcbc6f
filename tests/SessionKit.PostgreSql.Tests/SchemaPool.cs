using System.Collections.Concurrent;
using Npgsql;
using NUnit.Framework;
using NUnit.Framework.Interfaces;

[assembly: SessionKit.PostgreSql.Tests.SchemaPool.ReturnSchemas]

namespace SessionKit.PostgreSql.Tests;

/// <summary>
/// Empty schemas for stores under test. A schema handed out during a test is emptied (every row deleted, the search
/// statistics included) after the test and handed out again; one handed out outside a test (a fixture's one-time set-up)
/// is never reused. Each store therefore starts on an empty, already migrated schema, as on a new database.
/// </summary>
internal static class SchemaPool
{
    // Children before parents; the tables that cascade from sessions go with them.
    private const string Empty =
        "DELETE FROM §session_grants; DELETE FROM §message_embeddings; DELETE FROM §summary_embeddings; DELETE FROM §summaries; DELETE FROM §message_revisions; DELETE FROM §idempotency_keys; " +
        "DELETE FROM §session_changes; DELETE FROM §session_leases; DELETE FROM §state_entries; DELETE FROM §messages; DELETE FROM §sessions; " +
        "DELETE FROM §session_tokens; DELETE FROM §devices; DELETE FROM §user_keys; DELETE FROM §store_settings; " +
        "DELETE FROM §search_stats; DELETE FROM §search_terms;";

    private static readonly ConcurrentQueue<string> Clean = new();
    private static readonly ConcurrentDictionary<string, ConcurrentBag<string>> InUse = new(StringComparer.Ordinal);

    public static string Take(Func<string> newName)
    {
        string schema = Clean.TryDequeue(out var reused) ? reused : newName();
        string? test = TestContext.CurrentContext.Test.ID;
        if (test is not null && TestContext.CurrentContext.Test.MethodName is not null)
        {
            InUse.GetOrAdd(test, static _ => []).Add(schema);
        }

        return schema;
    }

    private static void Return(string testId)
    {
        if (!InUse.TryRemove(testId, out var schemas))
        {
            return;
        }

        using var connection = PostgresServer.DataSource.OpenConnection();
        foreach (string schema in schemas)
        {
            try
            {
                using var exists = new NpgsqlCommand("SELECT to_regclass(@name) IS NOT NULL;", connection);
                exists.Parameters.AddWithValue("name", $"\"{schema}\".sessions");
                if (exists.ExecuteScalar() is true)
                {
                    using var empty = new NpgsqlCommand(Empty.Replace("§", $"\"{schema}\".", StringComparison.Ordinal), connection) { CommandTimeout = 300 };
                    empty.ExecuteNonQuery();
                }

                Clean.Enqueue(schema);
            }
            catch (PostgresException)
            {
                // A schema a test left in another shape (a migration test) is not reused.
            }
        }
    }

    /// <summary>Returns the schemas a test used to the pool after its tear-down.</summary>
    [AttributeUsage(AttributeTargets.Assembly)]
    public sealed class ReturnSchemasAttribute : Attribute, ITestAction
    {
        public ActionTargets Targets => ActionTargets.Test;

        public void BeforeTest(ITest test)
        {
        }

        public void AfterTest(ITest test) => Return(test.Id);
    }
}
