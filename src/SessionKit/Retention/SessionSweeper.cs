using System.Diagnostics;
using SessionKit.Storage;

namespace SessionKit;

/// <summary>
/// The sweeper over any <see cref="ISessionRetentionStore"/>: the policy decides, the store only scans and deletes, so every
/// backend expires sessions alike. Run it from a timer, a job, or the hosted service in SessionKit.Hosting.
/// </summary>
public sealed class SessionSweeper : ISessionSweeper
{
    private readonly ISessionRetentionStore _store;
    private readonly SessionExpiryPolicy _policy;

    /// <summary>Creates a sweeper.</summary>
    /// <param name="store">The store to sweep.</param>
    /// <param name="policy">The expiry and retention policy (and its clock).</param>
    public SessionSweeper(ISessionRetentionStore store, SessionExpiryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(policy);
        _store = store;
        _policy = policy;
    }

    /// <summary>The instruments sweeps record into; set from dependency injection, otherwise the shared ones.</summary>
    internal SessionKitMetrics Metrics { get; set; } = SessionKitMetrics.Default;

    /// <inheritdoc />
    public async Task<SweepResult> SweepAsync(SweepOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SweepOptions();
        options.Validate();
        using var activity = SessionKitDiagnostics.ActivitySource.StartActivity("sessionkit.sweep");
        long started = Stopwatch.GetTimestamp();
        try
        {
            var result = await SweepBatchesAsync(options, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("sessionkit.sweep.sessions_scanned", result.SessionsScanned);
            activity?.SetTag("sessionkit.sweep.sessions_expired", result.SessionsExpired);
            activity?.SetTag("sessionkit.sweep.messages_deleted", result.MessagesDeleted);
            activity?.SetTag("sessionkit.sweep.completed", result.Completed);
            Metrics.RecordOperation("sweep", started);
            return result;
        }
        catch (Exception ex)
        {
            SessionKitDiagnostics.RecordFailure(activity, ex);
            Metrics.RecordOperation("sweep", started, ex.GetType().FullName);
            throw;
        }
    }

    private async Task<SweepResult> SweepBatchesAsync(SweepOptions options, CancellationToken cancellationToken)
    {
        var now = _policy.Now();
        var result = new SweepResult();
        Guid? after = null;
        while (options.MaxBatches is not { } max || result.Batches < max)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = await _store.ScanSessionsAsync(after, options.BatchSize, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                return result with { Completed = true };
            }

            result = await SweepBatchAsync(batch, now, options, result, cancellationToken).ConfigureAwait(false);
            result = result with { Batches = result.Batches + 1, SessionsScanned = result.SessionsScanned + batch.Count };
            after = batch[^1].Id;
            if (batch.Count < options.BatchSize)
            {
                return result with { Completed = true };
            }
        }

        return result;
    }

    private async Task<SweepResult> SweepBatchAsync(IReadOnlyList<Session> batch, DateTimeOffset now, SweepOptions options, SweepResult result, CancellationToken cancellationToken)
    {
        var expired = new List<Guid>();
        foreach (var session in batch)
        {
            if (_policy.IsExpired(session, now))
            {
                expired.Add(session.Id);
                continue;
            }

            if (_policy.GetMessageRetention(session) is not { } retention || now - session.CreatedAt <= retention)
            {
                continue;
            }

            var cutoff = now - retention;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                MessageRetentionResult trimmed;
                try
                {
                    trimmed = await _store.DeleteMessagesBeforeAsync(session.Id, cutoff, _policy.MessageRetentionMode, options.MessageBatchSize, cancellationToken).ConfigureAwait(false);
                }
                catch (SessionNotFoundException)
                {
                    break; // Deleted meanwhile: nothing left to trim.
                }

                result = result with { MessagesDeleted = result.MessagesDeleted + trimmed.Messages, SummariesDeleted = result.SummariesDeleted + trimmed.Summaries };
                if (trimmed.Messages < options.MessageBatchSize)
                {
                    break;
                }
            }
        }

        if (expired.Count > 0)
        {
            var erased = await _store.EraseSessionsAsync(expired, cancellationToken).ConfigureAwait(false);
            result = result with
            {
                SessionsExpired = result.SessionsExpired + erased.Sessions,
                MessagesDeleted = result.MessagesDeleted + erased.Messages,
                SummariesDeleted = result.SummariesDeleted + erased.Summaries,
            };
        }

        return result;
    }
}
