namespace SessionKit;

/// <summary>What one sweep did.</summary>
public sealed record SweepResult
{
    /// <summary>How many batches of sessions were read.</summary>
    public int Batches { get; init; }

    /// <summary>How many sessions were read and judged.</summary>
    public long SessionsScanned { get; init; }

    /// <summary>How many expired sessions were erased.</summary>
    public long SessionsExpired { get; init; }

    /// <summary>How many messages were deleted: those of expired sessions and those past history retention.</summary>
    public long MessagesDeleted { get; init; }

    /// <summary>How many summaries were deleted.</summary>
    public long SummariesDeleted { get; init; }

    /// <summary>Whether the sweep reached the last session (<see langword="false"/> when <see cref="SweepOptions.MaxBatches"/> stopped it).</summary>
    public bool Completed { get; init; }
}
