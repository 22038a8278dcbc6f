namespace SessionKit.Embeddings.Onnx;

/// <summary>How <see cref="OnnxEmbeddingGenerator"/> runs its model.</summary>
public sealed class OnnxEmbeddingOptions
{
    /// <summary>The model id reported in metadata and stored with every vector (default <c>all-MiniLM-L6-v2</c>).</summary>
    public string ModelId { get; set; } = "all-MiniLM-L6-v2";

    /// <summary>The most word-piece tokens read from one text, special tokens included (default 256, as the model was trained); the rest is ignored.</summary>
    public int MaxTokens { get; set; } = 256;

    /// <summary>Whether text is lower-cased before tokenization (default <see langword="true"/>, for uncased models).</summary>
    public bool LowerCase { get; set; } = true;

    /// <summary>Threads ONNX Runtime may use for one inference; 0 (the default) lets it decide.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>How many texts one inference embeds at most (default 16); larger requests are split.</summary>
    public int MaxBatchSize { get; set; } = 16;

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ModelId, nameof(ModelId));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTokens, 8, nameof(MaxTokens));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxTokens, 512, nameof(MaxTokens));
        ArgumentOutOfRangeException.ThrowIfNegative(IntraOpThreads, nameof(IntraOpThreads));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
    }
}
