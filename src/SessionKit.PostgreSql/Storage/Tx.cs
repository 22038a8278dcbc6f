using Npgsql;

namespace SessionKit.PostgreSql;

/// <summary>
/// One open connection (and, for writes, its transaction) of a store: creates commands with the store's schema and
/// timeout, prepares each before it runs (Npgsql keeps prepared statements per physical connection, so a text seen before
/// is not parsed again), and reads rows.
/// </summary>
internal readonly struct Tx(NpgsqlConnection connection, NpgsqlTransaction? transaction, SqlText sql, int timeoutSeconds, CancellationToken cancellationToken)
{
    public NpgsqlConnection Connection => connection;

    public NpgsqlTransaction? Transaction => transaction;

    public int TimeoutSeconds => timeoutSeconds;

    public CancellationToken CancellationToken => cancellationToken;

    public NpgsqlCommand Cmd(string text) => new(sql[text], connection, transaction) { CommandTimeout = timeoutSeconds };

    public async Task<int> ExecAsync(NpgsqlCommand command)
    {
        await using (command.ConfigureAwait(false))
        {
            await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<object?> ScalarAsync(NpgsqlCommand command)
    {
        await using (command.ConfigureAwait(false))
        {
            await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is DBNull ? null : value;
        }
    }

    public async Task<List<T>> ListAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read)
    {
        await using (command.ConfigureAwait(false))
        {
            await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            var rows = new List<T>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(read(reader));
                }
            }

            return rows;
        }
    }

    public async Task<T?> FirstAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read)
        where T : class
    {
        await using (command.ConfigureAwait(false))
        {
            await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? read(reader) : null;
            }
        }
    }
}
