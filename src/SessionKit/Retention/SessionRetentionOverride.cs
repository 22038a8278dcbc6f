namespace SessionKit;

/// <summary>
/// One session's exceptions to <see cref="RetentionOptions"/>, stored in the session's metadata by
/// <see cref="SessionExpiryPolicy.WithOverride"/>. For each setting, <see langword="null"/> keeps the store-wide value,
/// <see cref="Timeout.InfiniteTimeSpan"/> switches it off for this session, and a positive duration replaces it.
/// </summary>
public sealed record SessionRetentionOverride
{
    /// <summary>This session's idle timeout (see <see cref="RetentionOptions.IdleTimeout"/>).</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>This session's absolute lifetime (see <see cref="RetentionOptions.AbsoluteLifetime"/>).</summary>
    public TimeSpan? AbsoluteLifetime { get; init; }

    /// <summary>This session's message retention (see <see cref="RetentionOptions.MessageRetention"/>).</summary>
    public TimeSpan? MessageRetention { get; init; }
}
