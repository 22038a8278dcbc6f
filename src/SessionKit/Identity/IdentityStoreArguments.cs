using SessionKit.Storage;

namespace SessionKit;

/// <summary>
/// The argument checks of <see cref="ISessionTokenStore"/>, written once for every backend. Each returns the value as the
/// store must keep it: times in UTC, byte buffers copied so a caller cannot change a stored hash afterwards.
/// </summary>
internal static class IdentityStoreArguments
{
    /// <summary>The length of a SHA-256 or HMAC-SHA256 hash, the only hash length a store accepts.</summary>
    public const int HashLength = 32;

    public static SessionTokenRecord Token(SessionTokenRecord token, int maxIdLength, string paramName)
    {
        ArgumentNullException.ThrowIfNull(token, paramName);
        TokenId(token.TokenId, paramName);
        if (token.SecretHash.Length != HashLength)
        {
            throw new ArgumentException($"SessionTokenRecord.SecretHash must be {HashLength} bytes (was {token.SecretHash.Length}).", paramName);
        }

        Id(token.UserId, maxIdLength, $"{nameof(SessionTokenRecord)}.{nameof(SessionTokenRecord.UserId)}", paramName);
        if (token.SessionId == Guid.Empty)
        {
            throw new ArgumentException("SessionTokenRecord.SessionId must not be Guid.Empty; use null for none.", paramName);
        }

        if (token.DeviceId is not null)
        {
            Id(token.DeviceId, maxIdLength, $"{nameof(SessionTokenRecord)}.{nameof(SessionTokenRecord.DeviceId)}", paramName);
        }

        if (token.ExpiresAt <= token.CreatedAt)
        {
            throw new ArgumentException("SessionTokenRecord.ExpiresAt must be later than its CreatedAt.", paramName);
        }

        if (token.ReplacedBy == Guid.Empty)
        {
            throw new ArgumentException("SessionTokenRecord.ReplacedBy must not be Guid.Empty; use null for none.", paramName);
        }

        return token with
        {
            SecretHash = token.SecretHash.ToArray(),
            CreatedAt = token.CreatedAt.ToUniversalTime(),
            ExpiresAt = token.ExpiresAt.ToUniversalTime(),
            RevokedAt = token.RevokedAt?.ToUniversalTime(),
        };
    }

    /// <summary>
    /// A token bound to a session must name an existing session of its own user: otherwise validating it would report
    /// someone else's session (or none) as the holder's.
    /// </summary>
    /// <param name="token">The validated record, with a session id.</param>
    /// <param name="owner">The session's owner as read inside the store's transaction or lock; <see langword="null"/> when it does not exist.</param>
    public static void CheckTokenSession(SessionTokenRecord token, string? owner)
    {
        var sessionId = token.SessionId!.Value;
        if (owner is null)
        {
            throw new SessionNotFoundException(sessionId);
        }

        if (!string.Equals(owner, token.UserId, StringComparison.Ordinal))
        {
            throw new SessionAccessDeniedException($"user '{token.UserId}'", SessionAccess.ReadWrite, sessionId, "hold a token for another user's session");
        }
    }

    public static void TokenId(Guid tokenId, string paramName)
    {
        if (tokenId == Guid.Empty)
        {
            throw new ArgumentException("A token id must not be Guid.Empty.", paramName);
        }
    }

    public static DeviceRecord Device(DeviceRecord device, int maxIdLength, string paramName)
    {
        ArgumentNullException.ThrowIfNull(device, paramName);
        Id(device.UserId, maxIdLength, $"{nameof(DeviceRecord)}.{nameof(DeviceRecord.UserId)}", paramName);
        Id(device.DeviceId, maxIdLength, $"{nameof(DeviceRecord)}.{nameof(DeviceRecord.DeviceId)}", paramName);
        DisplayName(device.DisplayName, maxIdLength, paramName);
        if (!device.FingerprintHash.IsEmpty)
        {
            FingerprintHash(device.FingerprintHash, paramName);
        }

        if (device.LastSeenAt < device.FirstSeenAt)
        {
            throw new ArgumentException("DeviceRecord.LastSeenAt must not be earlier than its FirstSeenAt.", paramName);
        }

        return device with
        {
            FingerprintHash = device.FingerprintHash.ToArray(),
            FirstSeenAt = device.FirstSeenAt.ToUniversalTime(),
            LastSeenAt = device.LastSeenAt.ToUniversalTime(),
        };
    }

    public static void DisplayName(string? displayName, int maxLength, string paramName)
    {
        if (displayName is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(displayName) || !IsWellFormed(displayName))
        {
            throw new ArgumentException("A device's display name must not be blank or contain an unpaired surrogate; use null for none.", paramName);
        }

        if (displayName.Length > maxLength)
        {
            throw new ArgumentException($"A device's display name is {displayName.Length} characters long; the limit is {maxLength} (SessionLimits.MaxIdLength).", paramName);
        }
    }

    public static void FingerprintHash(ReadOnlyMemory<byte> hash, string paramName)
    {
        if (hash.Length != HashLength)
        {
            throw new ArgumentException($"A fingerprint hash must be {HashLength} bytes (was {hash.Length}).", paramName);
        }
    }

    public static void Id(string value, int maxLength, string paramName) => Id(value, maxLength, "The id", paramName);

    public static void Id(string value, int maxLength, string what, string paramName)
    {
        if (value is null)
        {
            throw new ArgumentNullException(paramName, $"{what} must not be null.");
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{what} must not be empty or white space.", paramName);
        }

        if (value.Length > maxLength)
        {
            throw new ArgumentException($"{what} is {value.Length} characters long; the limit is {maxLength} (SessionLimits.MaxIdLength).", paramName);
        }

        if (!IsWellFormed(value))
        {
            throw new ArgumentException($"{what} has an unpaired surrogate; it is not valid Unicode.", paramName);
        }
    }

    // Stores keep UTF-8, where an unpaired UTF-16 surrogate cannot be represented.
    private static bool IsWellFormed(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i]))
            {
                continue;
            }

            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            return false;
        }

        return true;
    }
}
