namespace SessionKit.Hosting;

/// <summary>How the hosted embedding indexer polls for new messages and backs off when the generator fails.</summary>
public sealed class EmbeddingIndexerServiceOptions
{
    /// <summary>How long the indexer waits after emptying the backlog before looking again (default 2 seconds; at least 10 ms).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The wait after a first failure (default 1 second); it doubles with each failure in a row up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two attempts (default 5 minutes).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Checks every setting.</summary>
    /// <returns>One message per invalid setting, naming it; empty when all are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        if (PollInterval < TimeSpan.FromMilliseconds(10))
        {
            failures.Add($"{nameof(EmbeddingIndexerServiceOptions)}.{nameof(PollInterval)} must be at least 10 ms (was {PollInterval}).");
        }

        if (InitialRetryDelay <= TimeSpan.Zero)
        {
            failures.Add($"{nameof(EmbeddingIndexerServiceOptions)}.{nameof(InitialRetryDelay)} must be positive (was {InitialRetryDelay}).");
        }

        if (MaxRetryDelay < InitialRetryDelay)
        {
            failures.Add($"{nameof(EmbeddingIndexerServiceOptions)}.{nameof(MaxRetryDelay)} must be at least {nameof(InitialRetryDelay)} (was {MaxRetryDelay}).");
        }

        return failures;
    }
}
