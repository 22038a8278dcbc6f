using SessionKit.Storage;
namespace SessionKit;

/// <summary>How <see cref="ISessionStore.SearchAsync"/> ranks messages.</summary>
public enum SearchMode
{
    /// <summary>By words: BM25 over the messages that share a word (after stemming) with the query. Needs no embeddings.</summary>
    Lexical = 0,

    /// <summary>
    /// By meaning: cosine similarity between the query's embedding and each embedded message's vector (exact, over the
    /// user's own messages). Needs an embedding generator (<see cref="SessionStore.UseEmbeddings"/>); messages the
    /// background indexer has not embedded yet are not found.
    /// </summary>
    Semantic = 1,

    /// <summary>
    /// Both rankings fused by reciprocal rank fusion: each message scores the sum of 1 / (60 + rank) over the lexical and
    /// the semantic ranking it appears in, so exact words still win when they match and meaning finds what shares no
    /// word. Messages not embedded yet take part through their lexical rank. Ties break by the better single rank, then
    /// the newer message. Needs an embedding generator.
    /// </summary>
    Hybrid = 2,

    /// <summary><see cref="Hybrid"/> when the store has an embedding generator, <see cref="Lexical"/> otherwise (what the context builder's recall uses).</summary>
    Auto = 3,
}
