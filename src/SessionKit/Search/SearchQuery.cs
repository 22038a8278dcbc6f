using SessionKit.Storage;
namespace SessionKit;

/// <summary>
/// A full-text search through one user's history. Any text is a valid query: it is split into words, common English
/// words are dropped, and messages matching any remaining word are ranked by BM25 (more and rarer words rank higher).
/// Operators, quotes and punctuation in the text are treated as ordinary characters, never as query syntax.
/// </summary>
public sealed record SearchQuery
{
    /// <summary>The most hits one page may hold.</summary>
    public const int MaxLimit = 100;

    /// <summary>How deep paging may go: a <see cref="Cursor"/> never skips more than this many ranked hits.</summary>
    public const int MaxOffset = 10_000;

    /// <summary>The most distinct words of <see cref="Text"/> that are searched for; the rest are ignored.</summary>
    public const int MaxTerms = 32;

    /// <summary>
    /// How to rank: <see cref="SearchMode.Lexical"/> by words (the default), <see cref="SearchMode.Semantic"/> by meaning,
    /// <see cref="SearchMode.Hybrid"/> both fused, or <see cref="SearchMode.Auto"/> (hybrid when the store has an
    /// embedding generator). Semantic and hybrid need <see cref="SessionStore.UseEmbeddings"/>; their
    /// <see cref="SearchHit.Score"/> is the cosine similarity or the fused score.
    /// </summary>
    public SearchMode Mode { get; init; }

    /// <summary>The user's words. Empty or only punctuation and common words: no lexical hits (a semantic search still embeds the text).</summary>
    public required string Text { get; init; }

    /// <summary>Only this session (which must belong to the user, or nothing is found).</summary>
    public Guid? SessionId { get; init; }

    /// <summary>Only messages of this role.</summary>
    public MessageRole? Role { get; init; }

    /// <summary>Only messages created at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only messages created before this time.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>How many hits per page (1 to <see cref="MaxLimit"/>; default 20).</summary>
    public int Limit { get; init; } = 20;

    /// <summary>Where the page starts: <see langword="null"/> for the first page, else the <see cref="SearchPage.NextCursor"/>
    /// of the previous page, unchanged.</summary>
    public string? Cursor { get; init; }

    /// <summary>Put before each matched word in <see cref="SearchHit.Snippet"/> (default <c>**</c>).</summary>
    public string HighlightStart { get; init; } = "**";

    /// <summary>Put after each matched word in <see cref="SearchHit.Snippet"/> (default <c>**</c>).</summary>
    public string HighlightEnd { get; init; } = "**";

    /// <summary>
    /// Set by SessionKit for hybrid search's word half and the context builder's recall: a store may rank a bounded set of
    /// candidates (the newest messages in scope and older ones holding a rare query word) instead of every match.
    /// </summary>
    internal bool Bounded { get; init; }
}
