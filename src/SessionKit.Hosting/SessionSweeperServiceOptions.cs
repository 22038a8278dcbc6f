using SessionKit.Storage;

namespace SessionKit.Hosting;

/// <summary>How often the hosted sweeper runs and how much each run may do.</summary>
public sealed class SessionSweeperServiceOptions
{
    /// <summary>The shortest interval accepted (one second).</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    /// <summary>The time between two sweeps (default one hour; at least <see cref="MinInterval"/>).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Whether a sweep runs as soon as the host starts (default <see langword="true"/>), before the first interval.</summary>
    public bool SweepOnStart { get; set; } = true;

    /// <summary>
    /// Whether the service sweeps even when <c>SessionKitOptions.Retention</c> sets no policy (default <see langword="false"/>:
    /// with no policy nothing can expire except sessions with their own overrides, so the service logs once and does nothing
    /// instead of scanning every session each interval). Set it when only per-session overrides (see
    /// <see cref="SessionExpiryPolicy.WithOverride"/>) carry the retention.
    /// </summary>
    public bool SweepWithoutRetentionPolicy { get; set; }

    /// <summary>The batch sizes of each sweep.</summary>
    public SweepOptions Sweep { get; set; } = new();

    /// <summary>Checks every setting.</summary>
    /// <returns>One message per invalid setting, naming it; empty when all are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        if (Interval < MinInterval)
        {
            failures.Add($"{nameof(SessionSweeperServiceOptions)}.{nameof(Interval)} must be at least {MinInterval} (was {Interval}).");
        }

        if (Sweep is null)
        {
            failures.Add($"{nameof(SessionSweeperServiceOptions)}.{nameof(Sweep)} must not be null.");
        }
        else if (Sweep.BatchSize is < 1 or > ISessionRetentionStore.MaxBatchSize || Sweep.MaxBatches is < 1 || Sweep.MessageBatchSize < 1)
        {
            failures.Add($"{nameof(SessionSweeperServiceOptions)}.{nameof(Sweep)} is out of range: BatchSize 1 to {ISessionRetentionStore.MaxBatchSize}, MaxBatches at least 1 or null, MessageBatchSize at least 1.");
        }

        return failures;
    }
}
