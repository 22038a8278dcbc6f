namespace SessionKit.Storage;

/// <summary>What a stored vector embeds.</summary>
public enum EmbeddingKind
{
    /// <summary>A message's content.</summary>
    Message = 0,

    /// <summary>A summary's text.</summary>
    Summary = 1,
}
