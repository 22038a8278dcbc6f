namespace SessionKit.PostgreSql;

/// <summary>
/// A sweeper for apps on several servers: each sweep runs only if no other server is sweeping the same schema (a
/// PostgreSQL advisory lock), so a hosted sweeper on every server does the work once, not once per server.
/// <c>UsePostgreSql(...)</c> registers it as the <see cref="ISessionSweeper"/>.
/// </summary>
public sealed class PostgreSqlSessionSweeper : ISessionSweeper
{
    private readonly PostgreSqlSessionStore _store;
    private readonly ISessionSweeper _inner;

    /// <summary>Wraps a sweeper over <paramref name="store"/>.</summary>
    /// <param name="store">The store whose schema the lock covers.</param>
    /// <param name="inner">The sweeper that does the work (a <see cref="SessionSweeper"/> over the same store).</param>
    public PostgreSqlSessionSweeper(PostgreSqlSessionStore store, ISessionSweeper inner)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(inner);
        _store = store;
        _inner = inner;
    }

    /// <summary>Sweeps, or does nothing while another server sweeps (then the result has no batches and <see cref="SweepResult.Completed"/> is <see langword="false"/>).</summary>
    /// <param name="options">Batch sizes; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the sweep.</param>
    /// <returns>What this server's sweep did.</returns>
    public async Task<SweepResult> SweepAsync(SweepOptions? options = null, CancellationToken cancellationToken = default)
    {
        (options ?? new SweepOptions()).Validate();
        var (ran, result) = await _store.TryRunExclusiveAsync("sweeper", ct => _inner.SweepAsync(options, ct), cancellationToken).ConfigureAwait(false);
        return ran ? result! : new SweepResult { Completed = false };
    }
}
