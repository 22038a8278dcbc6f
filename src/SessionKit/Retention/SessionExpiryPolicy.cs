using System.Globalization;

namespace SessionKit;

/// <summary>
/// Decides, from <see cref="RetentionOptions"/> and a session's own overrides, when a session expires and how long its
/// messages are kept. The one place expiry is decided: the resolver asks it before continuing a session, the sweeper before
/// deleting one. Time comes only from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class SessionExpiryPolicy
{
    /// <summary>The metadata key of a session's idle-timeout override.</summary>
    public const string IdleTimeoutMetadataKey = "sessionkit.retention.idle-timeout";

    /// <summary>The metadata key of a session's absolute-lifetime override.</summary>
    public const string AbsoluteLifetimeMetadataKey = "sessionkit.retention.absolute-lifetime";

    /// <summary>The metadata key of a session's message-retention override.</summary>
    public const string MessageRetentionMetadataKey = "sessionkit.retention.message-retention";

    private const string Never = "never";

    private readonly RetentionOptions _options;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the policy.</summary>
    /// <param name="options">The policies; <see langword="null"/> for none (nothing expires). The object is copied.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public SessionExpiryPolicy(RetentionOptions? options = null, TimeProvider? timeProvider = null)
    {
        options ??= new RetentionOptions();
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _options = options.Copy();
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Whether any retention setting is configured (idle timeout, absolute lifetime or message retention). When none is, only
    /// sessions with their own overrides (see <see cref="WithOverride"/>) can ever expire or be trimmed.
    /// </summary>
    public bool HasRetentionPolicy => _options.IdleTimeout is not null || _options.AbsoluteLifetime is not null || _options.MessageRetention is not null;

    /// <summary>What history retention does with old messages.</summary>
    public MessageRetentionMode MessageRetentionMode => _options.MessageRetentionMode;

    /// <summary>The current time of the policy's clock.</summary>
    /// <returns>Now, in UTC.</returns>
    public DateTimeOffset Now() => _timeProvider.GetUtcNow().ToUniversalTime();

    /// <summary>When <paramref name="session"/> expires (or expired), or <see langword="null"/> if it never does.</summary>
    /// <param name="session">The session.</param>
    /// <returns>The earlier of last activity + idle timeout and creation + absolute lifetime, after the session's overrides.</returns>
    public DateTimeOffset? GetExpiresAt(Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var idle = Effective(session, IdleTimeoutMetadataKey, _options.IdleTimeout);
        var lifetime = Effective(session, AbsoluteLifetimeMetadataKey, _options.AbsoluteLifetime);
        DateTimeOffset? expires = null;
        if (idle is { } i)
        {
            expires = AddSaturating(session.LastActivityAt, i);
        }

        if (lifetime is { } l)
        {
            var end = AddSaturating(session.CreatedAt, l);
            expires = expires is { } e && e < end ? e : end;
        }

        return expires;
    }

    /// <summary>Whether <paramref name="session"/> has expired now: an expired session is never continued.</summary>
    /// <param name="session">The session.</param>
    /// <returns><see langword="true"/> when its expiry time is now or earlier.</returns>
    public bool IsExpired(Session session) => IsExpired(session, Now());

    /// <summary>Whether <paramref name="session"/> has expired at <paramref name="at"/>.</summary>
    /// <param name="session">The session.</param>
    /// <param name="at">The instant to judge at.</param>
    /// <returns><see langword="true"/> when its expiry time is <paramref name="at"/> or earlier.</returns>
    public bool IsExpired(Session session, DateTimeOffset at) => GetExpiresAt(session) is { } expires && expires <= at;

    /// <summary>How long <paramref name="session"/>'s messages are kept, after its override; <see langword="null"/> for as long as the session.</summary>
    /// <param name="session">The session.</param>
    /// <returns>The retention period, or <see langword="null"/>.</returns>
    public TimeSpan? GetMessageRetention(Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Effective(session, MessageRetentionMetadataKey, _options.MessageRetention);
    }

    /// <summary>
    /// Returns <paramref name="metadata"/> with <paramref name="retention"/> recorded in it; pass the result as the metadata of
    /// <see cref="SessionCreateOptions"/> or <see cref="SessionUpdate"/>. Settings left <see langword="null"/> in
    /// <paramref name="retention"/> remove any earlier override of that setting.
    /// </summary>
    /// <param name="metadata">The session's current metadata, or <see langword="null"/>.</param>
    /// <param name="retention">The overrides.</param>
    /// <returns>A new metadata dictionary.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A duration is neither positive (up to <see cref="RetentionOptions.MaxDuration"/>) nor <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public static IReadOnlyDictionary<string, string> WithOverride(IReadOnlyDictionary<string, string>? metadata, SessionRetentionOverride retention)
    {
        ArgumentNullException.ThrowIfNull(retention);
        var copy = metadata is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        Set(copy, IdleTimeoutMetadataKey, retention.IdleTimeout, nameof(SessionRetentionOverride.IdleTimeout), nameof(retention));
        Set(copy, AbsoluteLifetimeMetadataKey, retention.AbsoluteLifetime, nameof(SessionRetentionOverride.AbsoluteLifetime), nameof(retention));
        Set(copy, MessageRetentionMetadataKey, retention.MessageRetention, nameof(SessionRetentionOverride.MessageRetention), nameof(retention));
        return copy.AsReadOnly();
    }

    /// <summary>Reads the overrides recorded in a session's metadata; a malformed value counts as no override.</summary>
    /// <param name="session">The session.</param>
    /// <returns>The overrides (each <see langword="null"/> when not set).</returns>
    public static SessionRetentionOverride ReadOverride(Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new SessionRetentionOverride
        {
            IdleTimeout = Parse(session, IdleTimeoutMetadataKey),
            AbsoluteLifetime = Parse(session, AbsoluteLifetimeMetadataKey),
            MessageRetention = Parse(session, MessageRetentionMetadataKey),
        };
    }

    private static TimeSpan? Effective(Session session, string key, TimeSpan? fallback) =>
        Parse(session, key) switch
        {
            null => fallback,
            { } value when value == Timeout.InfiniteTimeSpan => null,
            { } value => value,
        };

    private static TimeSpan? Parse(Session session, string key)
    {
        if (!session.Metadata.TryGetValue(key, out var text))
        {
            return null;
        }

        if (string.Equals(text, Never, StringComparison.Ordinal))
        {
            return Timeout.InfiniteTimeSpan;
        }

        return TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var value) && RetentionOptions.DurationFailure(value) is null
            ? value
            : null;
    }

    private static void Set(Dictionary<string, string> metadata, string key, TimeSpan? value, string name, string paramName)
    {
        if (value is not { } duration)
        {
            metadata.Remove(key);
            return;
        }

        if (duration != Timeout.InfiniteTimeSpan && RetentionOptions.DurationFailure(duration) is { } failure)
        {
            throw new ArgumentOutOfRangeException(paramName, duration, $"SessionRetentionOverride.{name} {failure}, or Timeout.InfiniteTimeSpan for never.");
        }

        metadata[key] = duration == Timeout.InfiniteTimeSpan ? Never : duration.ToString("c", CultureInfo.InvariantCulture);
    }

    private static DateTimeOffset AddSaturating(DateTimeOffset start, TimeSpan duration) =>
        DateTimeOffset.MaxValue - start <= duration ? DateTimeOffset.MaxValue : start + duration;
}
