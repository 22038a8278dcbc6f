namespace SessionKit;

/// <summary>
/// Stored data could not be decrypted: a ciphertext was tampered with or moved to another row, an envelope is corrupted,
/// its key id is unknown, or a user key cannot be unwrapped (wrong or missing master key). Nothing is returned as garbage.
/// </summary>
public sealed class SessionDecryptionException : SessionKitException
{
    /// <summary>Creates the exception with a default message.</summary>
    public SessionDecryptionException()
        : base("Stored data could not be decrypted.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed (never key material or content).</param>
    public SessionDecryptionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed (never key material or content).</param>
    /// <param name="innerException">The cryptographic failure.</param>
    public SessionDecryptionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
