using SessionKit.Storage;

namespace SessionKit;

/// <summary>How much one <see cref="ISessionSweeper.SweepAsync"/> call may do at a time.</summary>
public sealed record SweepOptions
{
    /// <summary>How many sessions are read and judged per batch (1 to <see cref="ISessionRetentionStore.MaxBatchSize"/>; default 500).</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>The most batches one sweep runs, or <see langword="null"/> (the default) to scan every session once.</summary>
    public int? MaxBatches { get; init; }

    /// <summary>The most old messages deleted from one session per store call (at least 1; default 1,000).</summary>
    public int MessageBatchSize { get; init; } = 1_000;

    internal void Validate()
    {
        if (BatchSize is < 1 or > ISessionRetentionStore.MaxBatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"SweepOptions.BatchSize must be between 1 and {ISessionRetentionStore.MaxBatchSize}.");
        }

        if (MaxBatches is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatches), MaxBatches, "SweepOptions.MaxBatches must be at least 1, or null for no limit.");
        }

        if (MessageBatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MessageBatchSize), MessageBatchSize, "SweepOptions.MessageBatchSize must be at least 1.");
        }
    }
}
