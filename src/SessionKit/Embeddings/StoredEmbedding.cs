namespace SessionKit.Storage;

/// <summary>
/// Backend SPI: one vector to store for a message or summary. The backend keeps at most one vector per message and per
/// summary (a new one replaces the old, whatever its model), and stores it only while the target exists unchanged:
/// a message with the same id and <see cref="Revision"/>, or a summary with the same id.
/// </summary>
public sealed record StoredEmbedding
{
    /// <summary>The owner; vectors are only ever searched within one user's.</summary>
    public required string UserId { get; init; }

    /// <summary>Message or summary.</summary>
    public required EmbeddingKind Kind { get; init; }

    /// <summary>The session of the target.</summary>
    public required Guid SessionId { get; init; }

    /// <summary>The message or summary id.</summary>
    public required Guid TargetId { get; init; }

    /// <summary>The message's sequence, or the summary's last covered sequence.</summary>
    public required long Sequence { get; init; }

    /// <summary>The message revision the vector was computed from (1 for summaries).</summary>
    public required int Revision { get; init; }

    /// <summary>The model that made the vector.</summary>
    public required string ModelId { get; init; }

    /// <summary>The number of dimensions.</summary>
    public required int Dimensions { get; init; }

    /// <summary>
    /// The vector: <see cref="Dimensions"/> little-endian float32 values of unit length, or, when the store encrypts, an
    /// envelope sealing them. Store it as bytes (a BLOB or bytea), never as text.
    /// </summary>
    public required ReadOnlyMemory<byte> Vector { get; init; }
}
