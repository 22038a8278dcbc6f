namespace SessionKit.Storage;

/// <summary>A user's data key as stored: wrapped (AES-256-GCM) by a master key. Erasing the user deletes it (crypto-shredding).</summary>
public sealed record UserKeyRecord
{
    /// <summary>The user.</summary>
    public required string UserId { get; init; }

    /// <summary>The data key's id, written into every envelope it seals.</summary>
    public required string KeyId { get; init; }

    /// <summary>The id of the master key that wraps it.</summary>
    public required string MasterKeyId { get; init; }

    /// <summary>Nonce ‖ tag ‖ ciphertext of the 32-byte data key.</summary>
    public required ReadOnlyMemory<byte> WrappedKey { get; init; }

    /// <summary>When the key was created (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}
