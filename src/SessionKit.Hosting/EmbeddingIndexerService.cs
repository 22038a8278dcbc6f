using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace SessionKit.Hosting;

/// <summary>
/// Runs an <see cref="EmbeddingIndexer"/> in the background: embeds batches while the backlog has messages and summaries
/// without a vector of the current model, then polls every <see cref="EmbeddingIndexerServiceOptions.PollInterval"/>.
/// When the generator fails, the failure is logged with its exception and the batch is retried after a delay that doubles
/// with each failure in a row (up to <see cref="EmbeddingIndexerServiceOptions.MaxRetryDelay"/>); appends never wait for
/// it and nothing is lost. Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class EmbeddingIndexerService : BackgroundService
{
    private readonly EmbeddingIndexer _indexer;
    private readonly EmbeddingIndexerServiceOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Creates the service.</summary>
    /// <param name="indexer">The indexer of the app's store.</param>
    /// <param name="options">Polling and retry settings.</param>
    /// <param name="timeProvider">The clock for waits; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Logs failures; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public EmbeddingIndexerService(EmbeddingIndexer indexer, IOptions<EmbeddingIndexerServiceOptions> options, TimeProvider? timeProvider = null, ILogger<EmbeddingIndexerService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(indexer);
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Value.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _indexer = indexer;
        _options = options.Value;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>How many failures in a row the current retry follows (0 when the last batch succeeded).</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>How many vectors the service has stored since it started.</summary>
    public long Embedded => Interlocked.Read(ref _embedded);

    private long _embedded;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_indexer.IsEnabled)
        {
            LogDisabled(_logger);
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                TimeSpan wait;
                try
                {
                    var batch = await _indexer.IndexBatchAsync(stoppingToken).ConfigureAwait(false);
                    Interlocked.Add(ref _embedded, batch.Embedded);
                    ConsecutiveFailures = 0;
                    wait = batch.Read == 0 || batch.Embedded == 0 ? _options.PollInterval : TimeSpan.Zero;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // A background indexer must survive any failure of the generator or the store and try again.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    ConsecutiveFailures++;
                    wait = RetryDelay(ConsecutiveFailures);
                    LogRetrying(_logger, ConsecutiveFailures, wait, ex);
                }

                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _timeProvider, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    /// <summary>The wait after the given number of failures in a row: the initial delay doubled each time, capped.</summary>
    /// <param name="failures">At least 1.</param>
    /// <returns>The delay.</returns>
    public TimeSpan RetryDelay(int failures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        double ticks = _options.InitialRetryDelay.Ticks * Math.Pow(2, Math.Min(failures - 1, 30));
        return ticks >= _options.MaxRetryDelay.Ticks ? _options.MaxRetryDelay : TimeSpan.FromTicks((long)ticks);
    }

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "Embedding indexer: failure {Failures} in a row; retrying in {Delay}. No message is lost: the backlog is kept.")]
    private static partial void LogRetrying(ILogger logger, int failures, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "The hosted embedding indexer will not run: the store has no embedding generator (call UseEmbeddings on the SessionKit builder).")]
    private static partial void LogDisabled(ILogger logger);
}
