using System.Buffers.Text;
using System.Security.Cryptography;

namespace SessionKit;

/// <summary>
/// The text form of a session token: <c>sk_</c> followed by the unpadded base64url of its 16-byte id (big-endian GUID
/// bytes) and its 32-byte secret — 48 bytes, so exactly 64 characters, and 67 in all.
/// </summary>
/// <remarks>
/// The id is not secret: it only locates the record. The secret is 256 bits from <see cref="RandomNumberGenerator"/>.
/// Parsing accepts nothing but that exact shape (no padding, no white space, no standard-base64 characters), so every
/// accepted string decodes to one id and secret and every other string is rejected before the store is asked.
/// </remarks>
internal static class SessionTokenFormat
{
    public const string Prefix = "sk_";

    public const int IdLength = 16;

    public const int SecretLength = 32;

    public const int PayloadLength = IdLength + SecretLength;

    public const int TokenLength = 67;

    private const int EncodedLength = TokenLength - 3;

    public static string Format(Guid tokenId, ReadOnlySpan<byte> secret)
    {
        if (secret.Length != SecretLength)
        {
            throw new ArgumentException($"A token secret is {SecretLength} bytes.", nameof(secret));
        }

        Span<byte> payload = stackalloc byte[PayloadLength];
        try
        {
            tokenId.TryWriteBytes(payload[..IdLength], bigEndian: true, out _);
            secret.CopyTo(payload[IdLength..]);
            return string.Concat(Prefix, Base64Url.EncodeToString(payload));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(payload);
        }
    }

    /// <summary>Splits a token into its id and secret; <see langword="false"/> for anything that is not a well-formed token.</summary>
    public static bool TryParse(string token, out Guid tokenId, Span<byte> secret)
    {
        tokenId = Guid.Empty;
        if (secret.Length != SecretLength || token.Length != TokenLength || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var encoded = token.AsSpan(Prefix.Length);
        foreach (char c in encoded)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }

        Span<byte> payload = stackalloc byte[PayloadLength];
        try
        {
            if (encoded.Length != EncodedLength || !Base64Url.TryDecodeFromChars(encoded, payload, out int written) || written != PayloadLength)
            {
                return false;
            }

            var id = new Guid(payload[..IdLength], bigEndian: true);
            if (id == Guid.Empty)
            {
                return false;
            }

            payload[IdLength..].CopyTo(secret);
            tokenId = id;
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(payload);
        }
    }

    // A plain SHA-256 is the right hash here, unlike for passwords: the secret is 256 uniformly random bits, so neither a
    // dictionary nor brute force can invert it, and a slow or salted hash (bcrypt, Argon2, PBKDF2) would add cost to every
    // validation without adding security. A database leak therefore yields no usable token.
    public static byte[] HashSecret(ReadOnlySpan<byte> secret) => SHA256.HashData(secret);
}
