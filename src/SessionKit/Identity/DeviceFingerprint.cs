using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SessionKit;

/// <summary>
/// Turns the attributes a host knows about a device into the keyed hash that is stored in their place: normalised (keys
/// trimmed and lower-cased, values trimmed, both in Unicode NFC, empty values dropped, sorted by key), length-prefixed so no
/// two attribute sets encode alike, and hashed with HMAC-SHA256 under <see cref="SessionTokenOptions.FingerprintKey"/>.
/// </summary>
internal static class DeviceFingerprint
{
    public const int MaxAttributes = 64;

    public const int MaxKeyLength = 256;

    public const int MaxValueLength = 4096;

    // Domain separation: the key might be reused for another HMAC by the host; this hash cannot collide with that one's.
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("sessionkit/device-fingerprint/v1\n");

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The hash of <paramref name="attributes"/>, or <see langword="null"/> when there are none (after dropping empty values).</summary>
    /// <exception cref="InvalidOperationException">There are attributes but no key.</exception>
    /// <exception cref="ArgumentException">An attribute is malformed or over a limit; the message never shows a value.</exception>
    public static byte[]? Hash(IReadOnlyDictionary<string, string>? attributes, byte[]? key, string paramName)
    {
        if (attributes is null || attributes.Count == 0)
        {
            return null;
        }

        RequireKey(key);
        var normalized = Normalize(attributes, paramName);
        if (normalized.Count == 0)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        buffer.Write(Domain);
        Span<byte> length = stackalloc byte[4];
        foreach (var (name, value) in normalized)
        {
            WriteField(buffer, length, name, paramName);
            WriteField(buffer, length, value, paramName);
        }

        byte[] data = buffer.ToArray();
        try
        {
            return HMACSHA256.HashData(key, data);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
        }
    }

    /// <summary>Throws the configuration error for a fingerprint used without a key.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="key"/> is <see langword="null"/>.</exception>
    public static void RequireKey([System.Diagnostics.CodeAnalysis.NotNull] byte[]? key)
    {
        if (key is null)
        {
            throw new InvalidOperationException(
                "A device fingerprint was given, but no key is configured to hash it with. Set SessionTokenOptions.FingerprintKey " +
                "(SessionKitOptions.SessionTokens.FingerprintKey, or FingerprintKeyBase64 from configuration) to a secret of at least " +
                $"{SessionTokenOptions.MinFingerprintKeyLength} bytes, the same in every process and across restarts, or register devices without a fingerprint.");
        }
    }

    private static SortedDictionary<string, string> Normalize(IReadOnlyDictionary<string, string> attributes, string paramName)
    {
        if (attributes.Count > MaxAttributes)
        {
            throw new ArgumentException($"A device fingerprint has {attributes.Count} attributes; the limit is {MaxAttributes}.", paramName);
        }

        var normalized = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (rawName, rawValue) in attributes)
        {
            if (rawName is null || string.IsNullOrWhiteSpace(rawName))
            {
                throw new ArgumentException("A device fingerprint attribute has an empty name.", paramName);
            }

            string name = Text(rawName, paramName).Trim().ToLowerInvariant();
            if (name.Length > MaxKeyLength)
            {
                throw new ArgumentException($"A device fingerprint attribute name is {name.Length} characters long; the limit is {MaxKeyLength}.", paramName);
            }

            if (rawValue is null)
            {
                throw new ArgumentException($"Device fingerprint attribute '{name}' has a null value; leave the attribute out, or use an empty string, when it is unknown.", paramName);
            }

            string value = Text(rawValue, paramName).Trim();
            if (value.Length > MaxValueLength)
            {
                throw new ArgumentException($"Device fingerprint attribute '{name}' has a value of {value.Length} characters; the limit is {MaxValueLength}.", paramName);
            }

            if (value.Length == 0)
            {
                continue;
            }

            if (normalized.TryGetValue(name, out var other) && !string.Equals(other, value, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Device fingerprint attribute '{name}' is given twice (names differing only in case or spacing) with different values.", paramName);
            }

            normalized[name] = value;
        }

        return normalized;
    }

    private static string Text(string text, string paramName)
    {
        try
        {
            return text.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            throw new ArgumentException("A device fingerprint attribute has an unpaired surrogate; it is not valid Unicode.", paramName);
        }
    }

    private static void WriteField(MemoryStream buffer, Span<byte> length, string text, string paramName)
    {
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException("A device fingerprint attribute has an unpaired surrogate; it is not valid Unicode.", paramName);
        }

        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        buffer.Write(length);
        buffer.Write(bytes);
    }
}
