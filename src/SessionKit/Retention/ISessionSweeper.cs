namespace SessionKit;

/// <summary>Applies the retention policies (<see cref="RetentionOptions"/>) to what is stored.</summary>
public interface ISessionSweeper
{
    /// <summary>
    /// Scans every session once, in bounded batches: erases the expired ones (see <see cref="SessionExpiryPolicy"/>) and trims
    /// the others' history past <see cref="RetentionOptions.MessageRetention"/>. Safe to run concurrently with normal traffic
    /// and to repeat; a cancelled sweep keeps what it completed.
    /// </summary>
    /// <param name="options">Batch sizes; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the sweep between store calls.</param>
    /// <returns>What the sweep did.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    Task<SweepResult> SweepAsync(SweepOptions? options = null, CancellationToken cancellationToken = default);
}
