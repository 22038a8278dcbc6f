namespace SessionKit;

/// <summary>How many of a user's messages and summaries have a vector of one model.</summary>
/// <param name="ModelId">The embedding model.</param>
/// <param name="Dimensions">Its number of dimensions.</param>
/// <param name="Count">How many vectors it made.</param>
public sealed record EmbeddingModelCount(string ModelId, int Dimensions, long Count);
