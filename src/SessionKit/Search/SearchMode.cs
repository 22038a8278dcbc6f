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
    /// Both rankings fused by score: a message scores <c>0.5 · cosine / best cosine + 0.5 · coverage · bm25 / best bm25</c>
    /// (<see cref="SessionStore.HybridSemanticWeight"/>) over the best 50 of each ranking, where coverage is the share of
    /// the query's words it holds and every candidate is scored by meaning exactly. So exact words still win when they
    /// match, meaning finds what shares no word, and a message that shares one common word with the question gains
    /// little. Messages not embedded yet take part through their words. Ties break by the better single rank, then the
    /// later message. <see cref="SearchHit.Score"/> is the fused score, between 0 and 1. Needs an embedding generator.
    /// </summary>
    Hybrid = 2,

    /// <summary><see cref="Hybrid"/> when the store has an embedding generator, <see cref="Lexical"/> otherwise (what the context builder's recall uses).</summary>
    Auto = 3,
}
