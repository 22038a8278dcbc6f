namespace SessionKit;

/// <summary>A message that matched a <see cref="SearchQuery"/>.</summary>
/// <param name="Message">The whole stored message.</param>
/// <param name="Score">The BM25 relevance; higher is more relevant. Comparable within one search only.</param>
/// <param name="Snippet">A short extract of the content around the matches, with matched words highlighted.</param>
public sealed record SearchHit(SessionMessage Message, double Score, string Snippet)
{
    /// <summary>The session of the message.</summary>
    public Guid SessionId => Message.SessionId;

    /// <summary>The position of the message in its session.</summary>
    public long Sequence => Message.Sequence;

    /// <summary>When the message was written.</summary>
    public DateTimeOffset CreatedAt => Message.CreatedAt;
}
