using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SessionKit;

/// <summary>
/// AES-256-GCM envelopes: version (1) ‖ key-id length (1) ‖ key id (ASCII) ‖ nonce (12) ‖ tag (16) ‖ ciphertext, with
/// associated data that binds an envelope to its row, so a ciphertext swapped between rows fails authentication.
/// </summary>
internal static class EnvelopeCipher
{
    public const byte Version = 1;
    public const int KeyLength = 32;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private static readonly byte[] SearchLabel = Encoding.ASCII.GetBytes("sessionkit-search-v1");

    public static byte[] Seal(byte[] key, string keyId, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        int idLength = Encoding.ASCII.GetByteCount(keyId);
        var envelope = new byte[2 + idLength + NonceLength + TagLength + plaintext.Length];
        envelope[0] = Version;
        envelope[1] = (byte)idLength;
        Encoding.ASCII.GetBytes(keyId, envelope.AsSpan(2, idLength));
        int offset = 2 + idLength;
        var nonce = envelope.AsSpan(offset, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagLength);
        aes.Encrypt(nonce, plaintext, envelope.AsSpan(offset + NonceLength + TagLength), envelope.AsSpan(offset + NonceLength, TagLength), associatedData);
        return envelope;
    }

    public static byte[] Open(byte[] key, string keyId, ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> associatedData, string what)
    {
        if (envelope.Length < 2 || envelope[0] != Version || envelope.Length < 2 + envelope[1] + NonceLength + TagLength)
        {
            throw new SessionDecryptionException($"The envelope of {what} is corrupted (unknown version or truncated).");
        }

        int idLength = envelope[1];
        string envelopeKeyId = Encoding.ASCII.GetString(envelope.Slice(2, idLength));
        if (!string.Equals(envelopeKeyId, keyId, StringComparison.Ordinal))
        {
            throw new SessionDecryptionException($"The envelope of {what} names data key '{envelopeKeyId}', which the store does not have (its user's key is '{keyId}').");
        }

        int offset = 2 + idLength;
        var plaintext = new byte[envelope.Length - offset - NonceLength - TagLength];
        try
        {
            using var aes = new AesGcm(key, TagLength);
            aes.Decrypt(envelope.Slice(offset, NonceLength), envelope[(offset + NonceLength + TagLength)..], envelope.Slice(offset + NonceLength, TagLength), plaintext, associatedData);
        }
        catch (CryptographicException ex)
        {
            throw new SessionDecryptionException($"The envelope of {what} failed authentication: it was tampered with or belongs to another row.", ex);
        }

        return plaintext;
    }

    public static byte[] Wrap(byte[] masterKey, byte[] dataKey, ReadOnlySpan<byte> associatedData)
    {
        var wrapped = new byte[NonceLength + TagLength + dataKey.Length];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, NonceLength));
        using var aes = new AesGcm(masterKey, TagLength);
        aes.Encrypt(wrapped.AsSpan(0, NonceLength), dataKey, wrapped.AsSpan(NonceLength + TagLength), wrapped.AsSpan(NonceLength, TagLength), associatedData);
        return wrapped;
    }

    public static byte[] Unwrap(byte[] masterKey, ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> associatedData, string what)
    {
        if (wrapped.Length != NonceLength + TagLength + KeyLength)
        {
            throw new SessionDecryptionException($"The wrapped data key of {what} is corrupted.");
        }

        var dataKey = new byte[KeyLength];
        try
        {
            using var aes = new AesGcm(masterKey, TagLength);
            aes.Decrypt(wrapped[..NonceLength], wrapped[(NonceLength + TagLength)..], wrapped.Slice(NonceLength, TagLength), dataKey, associatedData);
        }
        catch (CryptographicException ex)
        {
            throw new SessionDecryptionException($"The data key of {what} could not be unwrapped: the master key is wrong or the wrapped key was altered.", ex);
        }

        return dataKey;
    }

    public static byte[] SearchKey(byte[] dataKey) => HMACSHA256.HashData(dataKey, SearchLabel);

    /// <summary>
    /// A keyed hash of a stemmed term as 20 decimal digits: digits are one token for both FTS5's unicode61 tokenizer and the
    /// in-memory one, and the Porter stemmer leaves a token without letters unchanged, so index and query hash alike.
    /// </summary>
    public static string HashTerm(byte[] searchKey, string stem)
    {
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(searchKey, Encoding.UTF8.GetBytes(stem), hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash).ToString("D20", CultureInfo.InvariantCulture);
    }
}
