using Npgsql;

namespace SessionKit.PostgreSql;

// Work that one server at a time should do (the retention sweeper): a session-level advisory lock on a connection held for
// the duration. A server that dies releases it with its connection, so the next one takes over.
public sealed partial class PostgreSqlSessionStore
{
    /// <summary>
    /// Runs <paramref name="work"/> only if no other store instance over this schema (on any server) is running work of the
    /// same <paramref name="name"/>: it holds a PostgreSQL advisory lock while it runs.
    /// </summary>
    /// <typeparam name="T">What the work returns.</typeparam>
    /// <param name="name">Which kind of work (for example <c>"sweeper"</c>); instances exclude each other per name and schema.</param>
    /// <param name="work">The work.</param>
    /// <param name="cancellationToken">Cancels taking the lock and is passed to the work.</param>
    /// <returns>Whether the work ran, and its result.</returns>
    public async Task<(bool Ran, T? Result)> TryRunExclusiveAsync<T>(string name, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(work);
        ThrowIfUnusable(cancellationToken);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            string key = _options.Schema + "\u001f" + name;
            var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(@class, hashtext(@key));", connection);
            await using (take.ConfigureAwait(false))
            {
                take.Parameters.Add(new NpgsqlParameter<int>("class", PostgresSchema.SweeperLockClass));
                take.Parameters.Add(new NpgsqlParameter<string>("key", PgText.Encode(key)));
                if (await take.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
                {
                    return (false, default);
                }
            }

            try
            {
                return (true, await work(cancellationToken).ConfigureAwait(false));
            }
            finally
            {
                var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@class, hashtext(@key));", connection);
                await using (release.ConfigureAwait(false))
                {
                    release.Parameters.Add(new NpgsqlParameter<int>("class", PostgresSchema.SweeperLockClass));
                    release.Parameters.Add(new NpgsqlParameter<string>("key", PgText.Encode(key)));
                    await release.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
    }
}
