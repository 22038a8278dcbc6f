using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SessionKit.Storage;

namespace SessionKit;

/// <summary>The session token service over any <see cref="ISessionTokenStore"/> (see <see cref="ISessionTokenService"/>).</summary>
/// <remarks>Logs token ids only — never tokens, secrets or hashes — at <see cref="LogLevel.Debug"/>.</remarks>
public sealed partial class SessionTokenService : ISessionTokenService
{
    private readonly ISessionTokenStore _store;
    private readonly SessionTokenOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly int _maxIdLength;

    /// <summary>Creates the service.</summary>
    /// <param name="store">Where token records are kept.</param>
    /// <param name="options">Lifetimes; <see langword="null"/> for the defaults. The object is copied, so later changes to it have no effect.</param>
    /// <param name="timeProvider">The clock that decides expiry; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives token ids of issued, rotated, revoked and rejected tokens; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public SessionTokenService(
        ISessionTokenStore store,
        SessionTokenOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<SessionTokenService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new SessionTokenOptions();
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _store = store;
        _options = options.Resolve();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _maxIdLength = ((store as SessionStore)?.Limits ?? new SessionLimits()).MaxIdLength;
    }

    /// <inheritdoc />
    public async Task<IssuedSessionToken> IssueAsync(
        string userId,
        Guid? sessionId = null,
        string? deviceId = null,
        TimeSpan? lifetime = null,
        CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, _maxIdLength, "The user id", nameof(userId));
        if (sessionId == Guid.Empty)
        {
            throw new ArgumentException("The session id must not be Guid.Empty; use null for none.", nameof(sessionId));
        }

        if (deviceId is not null && string.IsNullOrWhiteSpace(deviceId))
        {
            throw new ArgumentException("The device id must not be empty or white space; use null for none.", nameof(deviceId));
        }

        if (deviceId is not null)
        {
            IdentityStoreArguments.Id(deviceId, _maxIdLength, "The device id", nameof(deviceId));
        }

        var validity = lifetime ?? _options.DefaultLifetime;
        if (validity <= TimeSpan.Zero || validity > _options.MaxLifetime)
        {
            throw new ArgumentOutOfRangeException(
                nameof(lifetime),
                validity,
                $"A token's lifetime must be positive and at most SessionTokenOptions.MaxLifetime ({_options.MaxLifetime}).");
        }

        var issued = await SaveNewAsync(userId, sessionId, deviceId, validity, replacing: null, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("Issuing a token cannot lose a rotation.");
        LogIssued(_logger, issued.TokenId);
        return issued;
    }

    /// <inheritdoc />
    public async Task<SessionTokenValidationResult> ValidateAsync(string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        var record = await FindValidAsync(token, Now(), cancellationToken).ConfigureAwait(false);
        return record is null ? SessionTokenValidationResult.Invalid : SessionTokenValidationResult.Valid(record);
    }

    /// <inheritdoc />
    public async Task<SessionTokenValidationResult> ValidateOrThrowAsync(string token, CancellationToken cancellationToken = default)
    {
        var validation = await ValidateAsync(token, cancellationToken).ConfigureAwait(false);
        return validation.IsValid ? validation : throw new InvalidSessionTokenException();
    }

    /// <inheritdoc />
    public async Task<IssuedSessionToken> RotateAsync(string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        var current = await FindValidAsync(token, Now(), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidSessionTokenException();

        // The same lifetime the token was issued with, capped by today's policy: rotation slides the window, never widens it.
        var lifetime = current.ExpiresAt - current.CreatedAt;
        if (lifetime > _options.MaxLifetime)
        {
            lifetime = _options.MaxLifetime;
        }

        var issued = await SaveNewAsync(current.UserId, current.SessionId, current.DeviceId, lifetime, current.TokenId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidSessionTokenException();
        LogRotated(_logger, current.TokenId, issued.TokenId);
        return issued;
    }

    /// <inheritdoc />
    public async Task<bool> RevokeAsync(string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        var now = Now();
        var record = await FindValidAsync(token, now, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return false;
        }

        bool revoked = await _store.RevokeTokenAsync(record.TokenId, now, cancellationToken).ConfigureAwait(false);
        if (revoked)
        {
            LogRevoked(_logger, record.TokenId);
        }

        return revoked;
    }

    /// <inheritdoc />
    public async Task<int> RevokeAllAsync(string userId, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, _maxIdLength, "The user id", nameof(userId));
        int count = await _store.RevokeUserTokensAsync(userId, Now(), cancellationToken).ConfigureAwait(false);
        LogRevokedAll(_logger, count);
        return count;
    }

    private DateTimeOffset Now() => _timeProvider.GetUtcNow().ToUniversalTime();

    /// <summary>Creates and stores a token; when <paramref name="replacing"/> is set, as the atomic replacement of that one (null when it lost).</summary>
    private async Task<IssuedSessionToken?> SaveNewAsync(string userId, Guid? sessionId, string? deviceId, TimeSpan lifetime, Guid? replacing, CancellationToken cancellationToken)
    {
        var now = Now();
        var tokenId = Guid.CreateVersion7(now);
        byte[] secret = RandomNumberGenerator.GetBytes(SessionTokenFormat.SecretLength);
        try
        {
            var record = new SessionTokenRecord
            {
                TokenId = tokenId,
                SecretHash = SessionTokenFormat.HashSecret(secret),
                UserId = userId,
                SessionId = sessionId,
                DeviceId = deviceId,
                CreatedAt = now,
                ExpiresAt = now + lifetime,
            };

            if (replacing is { } oldId)
            {
                if (!await _store.RotateTokenAsync(oldId, record, now, cancellationToken).ConfigureAwait(false))
                {
                    LogRejected(_logger, oldId, RejectionReason.RotatedAway);
                    return null;
                }
            }
            else
            {
                await _store.SaveTokenAsync(record, cancellationToken).ConfigureAwait(false);
            }

            return new IssuedSessionToken
            {
                Token = SessionTokenFormat.Format(tokenId, secret),
                TokenId = tokenId,
                UserId = userId,
                SessionId = sessionId,
                DeviceId = deviceId,
                CreatedAt = record.CreatedAt,
                ExpiresAt = record.ExpiresAt,
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>The record of <paramref name="token"/> if the token is valid at <paramref name="now"/>; otherwise <see langword="null"/>, whatever the reason.</summary>
    private async Task<SessionTokenRecord?> FindValidAsync(string token, DateTimeOffset now, CancellationToken cancellationToken)
    {
        byte[] presentedHash;
        Guid tokenId;
        byte[] secret = new byte[SessionTokenFormat.SecretLength];
        try
        {
            if (!SessionTokenFormat.TryParse(token, out tokenId, secret))
            {
                LogRejected(_logger, null, RejectionReason.Malformed);
                return null;
            }

            presentedHash = SessionTokenFormat.HashSecret(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }

        var record = await _store.FindTokenAsync(tokenId, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            LogRejected(_logger, tokenId, RejectionReason.Unknown);
            return null;
        }

        // Constant time in the secret: how many leading bytes match must not show in the response time.
        if (!CryptographicOperations.FixedTimeEquals(presentedHash, record.SecretHash.Span))
        {
            LogRejected(_logger, tokenId, RejectionReason.WrongSecret);
            return null;
        }

        if (record.RevokedAt is not null)
        {
            LogRejected(_logger, tokenId, record.ReplacedBy is null ? RejectionReason.Revoked : RejectionReason.RotatedAway);
            return null;
        }

        if (now >= record.ExpiresAt)
        {
            LogRejected(_logger, tokenId, RejectionReason.Expired);
            return null;
        }

        return record;
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "Issued session token {TokenId}.")]
    private static partial void LogIssued(ILogger logger, Guid tokenId);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "Rotated session token {TokenId} to {NewTokenId}.")]
    private static partial void LogRotated(ILogger logger, Guid tokenId, Guid newTokenId);

    [LoggerMessage(EventId = 22, Level = LogLevel.Debug, Message = "Revoked session token {TokenId}.")]
    private static partial void LogRevoked(ILogger logger, Guid tokenId);

    [LoggerMessage(EventId = 23, Level = LogLevel.Debug, Message = "Revoked {Count} session tokens of one user.")]
    private static partial void LogRevokedAll(ILogger logger, int count);

    // The reason stays in the server's log; callers only ever see SessionTokenValidationResult.InvalidReason.
    [LoggerMessage(EventId = 24, Level = LogLevel.Debug, Message = "Rejected session token {TokenId}: {Reason}.")]
    private static partial void LogRejected(ILogger logger, Guid? tokenId, RejectionReason reason);

    private enum RejectionReason
    {
        Malformed,
        Unknown,
        WrongSecret,
        Revoked,
        RotatedAway,
        Expired,
    }
}
