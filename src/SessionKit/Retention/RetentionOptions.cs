namespace SessionKit;

/// <summary>
/// Expiry and retention policies, applied by <see cref="SessionExpiryPolicy"/> (which sessions may still be continued) and
/// by <see cref="ISessionSweeper"/> (which deletes what the policies say is over). Every setting is off by default.
/// </summary>
/// <remarks>A session can override any of them through its metadata (see <see cref="SessionExpiryPolicy.WithOverride"/>).</remarks>
public sealed class RetentionOptions
{
    /// <summary>The longest a duration setting may be (about 100 years); longer values are rejected as mistakes.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(36_525);

    /// <summary>
    /// A session with no activity (no append) for this long has expired: it is never continued again, and the sweeper
    /// deletes it. <see langword="null"/> (the default) for no idle timeout.
    /// </summary>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>
    /// A session this long after its creation has expired, however active it is. <see langword="null"/> (the default) for no
    /// limit.
    /// </summary>
    public TimeSpan? AbsoluteLifetime { get; set; }

    /// <summary>
    /// Messages older than this are removed by the sweeper, as <see cref="MessageRetentionMode"/> says; the session itself
    /// lives on. <see langword="null"/> (the default) keeps messages as long as their session.
    /// </summary>
    public TimeSpan? MessageRetention { get; set; }

    /// <summary>What happens to messages older than <see cref="MessageRetention"/>.</summary>
    public MessageRetentionMode MessageRetentionMode { get; set; } = MessageRetentionMode.DeleteMessages;

    /// <summary>Checks every setting.</summary>
    /// <param name="prefix">The name the messages give the options object.</param>
    /// <returns>One message per invalid setting, naming it; empty when all are valid.</returns>
    public IReadOnlyList<string> Validate(string prefix = nameof(RetentionOptions))
    {
        var failures = new List<string>();
        CheckDuration(failures, prefix, nameof(IdleTimeout), IdleTimeout);
        CheckDuration(failures, prefix, nameof(AbsoluteLifetime), AbsoluteLifetime);
        CheckDuration(failures, prefix, nameof(MessageRetention), MessageRetention);
        if (!Enum.IsDefined(MessageRetentionMode))
        {
            failures.Add($"{prefix}.{nameof(MessageRetentionMode)} is not a defined MessageRetentionMode ({(int)MessageRetentionMode}).");
        }

        return failures;
    }

    /// <summary>Copies the settings.</summary>
    /// <returns>An independent copy.</returns>
    public RetentionOptions Copy() => new()
    {
        IdleTimeout = IdleTimeout,
        AbsoluteLifetime = AbsoluteLifetime,
        MessageRetention = MessageRetention,
        MessageRetentionMode = MessageRetentionMode,
    };

    internal static string? DurationFailure(TimeSpan value) =>
        value <= TimeSpan.Zero ? "must be positive"
        : value > MaxDuration ? $"must be at most {MaxDuration.TotalDays:0} days"
        : null;

    private static void CheckDuration(List<string> failures, string prefix, string name, TimeSpan? value)
    {
        if (value is { } duration && DurationFailure(duration) is { } failure)
        {
            failures.Add($"{prefix}.{name} {failure} (was {duration}); use null for none.");
        }
    }
}
