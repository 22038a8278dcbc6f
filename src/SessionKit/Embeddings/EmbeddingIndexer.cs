using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SessionKit.Storage;

namespace SessionKit;

/// <summary>
/// Embeds what a store has not embedded yet — new messages and summaries, edited ones, and everything after a switch to
/// another model — in batches, off the append path. <see cref="DrainAsync"/> empties the backlog (tests, CLIs, imports);
/// the hosted service of SessionKit.Hosting runs batches in the background with retries. A failing generator loses
/// nothing: the messages stay in the backlog and are embedded when it works again.
/// </summary>
public sealed partial class EmbeddingIndexer
{
    private readonly SessionStore _store;
    private readonly ILogger _logger;

    /// <summary>Creates an indexer for a store that has an embedding generator (<see cref="SessionStore.UseEmbeddings"/>).</summary>
    /// <param name="store">The store.</param>
    /// <param name="batchSize">How many texts one call to the generator embeds (1 to 1,024; default 32).</param>
    /// <param name="logger">Logs failures; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is out of range.</exception>
    public EmbeddingIndexer(SessionStore store, int batchSize = DefaultBatchSize, ILogger<EmbeddingIndexer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, MaxBatchSize);
        _store = store;
        BatchSize = batchSize;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The default <see cref="BatchSize"/>.</summary>
    public const int DefaultBatchSize = 32;

    /// <summary>The largest <see cref="BatchSize"/>.</summary>
    public const int MaxBatchSize = 1024;

    /// <summary>How many texts one call to the generator embeds.</summary>
    public int BatchSize { get; }

    /// <summary>The model id vectors are stored under (<see cref="SessionStore.EmbeddingModelId"/>), or <see langword="null"/> without a generator.</summary>
    public string? ModelId => _store.EmbeddingModelId;

    /// <summary>Whether the store has a generator; without one there is nothing to index.</summary>
    public bool IsEnabled => _store.EmbeddingGenerator is not null;

    /// <summary>Embeds one batch from the head of the backlog.</summary>
    /// <param name="cancellationToken">Cancels the batch.</param>
    /// <returns>What the batch read and stored; <see cref="EmbeddingBatchResult.Read"/> is 0 when the backlog is empty.</returns>
    /// <exception cref="InvalidOperationException">The store has no embedding generator.</exception>
    /// <remarks>A generator failure is logged and rethrown; the batch stays in the backlog.</remarks>
    public async Task<EmbeddingBatchResult> IndexBatchAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _store.EmbedBacklogAsync(BatchSize, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogBatchFailed(_logger, _store.EmbeddingModelId ?? "(none)", ex);
            throw;
        }
    }

    /// <summary>Embeds batches until the backlog is empty.</summary>
    /// <param name="cancellationToken">Cancels between and during batches.</param>
    /// <returns>How many vectors were stored.</returns>
    /// <exception cref="InvalidOperationException">The store has no embedding generator.</exception>
    /// <remarks>A generator failure is logged and rethrown; what was not embedded stays in the backlog.</remarks>
    public async Task<long> DrainAsync(CancellationToken cancellationToken = default)
    {
        long embedded = 0;
        int idle = 0;
        while (true)
        {
            var batch = await IndexBatchAsync(cancellationToken).ConfigureAwait(false);
            embedded += batch.Embedded;
            if (batch.Read == 0)
            {
                return embedded;
            }

            // Targets that changed between reading and storing come back with their new content; twice nothing stored
            // means the backlog's head cannot be stored now, so stop rather than spin.
            idle = batch.Embedded == 0 ? idle + 1 : 0;
            if (idle == 2)
            {
                return embedded;
            }
        }
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "Embedding a batch with model {ModelId} failed; the messages stay in the backlog and will be embedded on a later attempt.")]
    private static partial void LogBatchFailed(ILogger logger, string modelId, Exception exception);
}
