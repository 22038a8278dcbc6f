using Npgsql;
using SessionKit.PostgreSql;

namespace SessionKit.Benchmarks;

/// <summary>The server the PostgreSQL benchmarks run against (<c>SESSIONKIT_POSTGRES</c>), and throwaway schemas on it.</summary>
public static class PostgreSqlBenchmarkServer
{
    /// <summary>The connection string from <c>SESSIONKIT_POSTGRES</c>.</summary>
    /// <exception cref="InvalidOperationException">The variable is not set.</exception>
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("SESSIONKIT_POSTGRES")
        ?? throw new InvalidOperationException("Set SESSIONKIT_POSTGRES to an Npgsql connection string (eval \"$(bash .ci/postgres start)\" starts a throwaway server).");

    /// <summary>A store in a new schema named after <paramref name="prefix"/>.</summary>
    /// <param name="prefix">What the schema is for.</param>
    /// <returns>The store; drop its schema with <see cref="DropAsync"/>.</returns>
    public static PostgreSqlSessionStore NewStore(string prefix) =>
        new(new PostgreSqlSessionStoreOptions { ConnectionString = ConnectionString, Schema = $"bench_{prefix}_{Guid.CreateVersion7().ToString("N")[^12..]}" });

    /// <summary>A store in the schema <paramref name="schema"/>, which may already hold data from an earlier run.</summary>
    /// <param name="schema">The schema's name.</param>
    /// <returns>The store.</returns>
    public static PostgreSqlSessionStore NamedStore(string schema) =>
        new(new PostgreSqlSessionStoreOptions { ConnectionString = ConnectionString, Schema = schema });

    /// <summary>Closes <paramref name="store"/> and drops its schema.</summary>
    /// <param name="store">A store made by <see cref="NewStore"/>.</param>
    /// <returns>A task that completes when the schema is gone.</returns>
    public static async Task DropAsync(PostgreSqlSessionStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        string schema = store.Schema;
        await store.DisposeAsync();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE;", connection) { CommandTimeout = 600 };
        await drop.ExecuteNonQueryAsync();
    }
}
