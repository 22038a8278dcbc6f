namespace SessionKit.Storage;

/// <summary>
/// BM25 exactly as SQLite FTS5's <c>bm25()</c> computes it as the SQLite store calls it, for the stores that rank in C#
/// (in-memory, PostgreSQL): idf = ln((N − n + 0.5) / (n + 0.5)) floored at 1e-6 over every message of the store; k1 = 1.2,
/// b = 0.75; a message's length is its word count plus <see cref="ScopeTokens"/>. The expressions follow fts5Bm25Function
/// operation for operation, so equal inputs give bit-identical scores on every backend; a message's score is the sum of
/// <see cref="Term"/> over the query's terms, in query order, from 0.
/// </summary>
internal static class Bm25
{
    /// <summary>The words FTS5 counts in every SQLite index row besides the content: the one-token user key.</summary>
    public const int ScopeTokens = 1;

    private const double K1 = 1.2;
    private const double B = 0.75;
    private const double MinimumIdf = 1e-6;

    /// <summary>The average message length over the store, as FTS5 counts it.</summary>
    /// <param name="tokens">Words of every message of the store.</param>
    /// <param name="documents">Messages of the store (positive).</param>
    public static double AverageLength(long tokens, long documents) => (tokens + ((double)documents * ScopeTokens)) / documents;

    /// <summary>The inverse document frequency of a term found in <paramref name="matching"/> of <paramref name="documents"/> messages.</summary>
    /// <param name="documents">Messages of the store.</param>
    /// <param name="matching">Messages holding the term.</param>
    public static double Idf(long documents, long matching)
    {
        double idf = Math.Log((documents - matching + 0.5) / (matching + 0.5));
        return idf <= 0.0 ? MinimumIdf : idf;
    }

    /// <summary>One query term's share of a message's score.</summary>
    /// <param name="idf">The term's <see cref="Idf"/>.</param>
    /// <param name="frequency">How often the term occurs in the message (positive).</param>
    /// <param name="length">The message's word count (without <see cref="ScopeTokens"/>).</param>
    /// <param name="averageLength">The store's <see cref="AverageLength"/>.</param>
    public static double Term(double idf, double frequency, int length, double averageLength)
    {
        double scoped = length + ScopeTokens;
        return idf * ((frequency * (K1 + 1.0)) / (frequency + (K1 * ((1 - B) + (B * scoped / averageLength)))));
    }
    /// <summary>
    /// The query terms a bounded search also looks for in older rows (the rule every backend's bounded search follows):
    /// rarest first, while the messages holding them store-wide add up to at most <paramref name="bound"/>; a term no
    /// message holds is skipped.
    /// </summary>
    /// <param name="byFrequency">Each term's store-wide message count and its index among the query's terms; sorted in place.</param>
    /// <param name="bound">The most messages the rare terms may hold together.</param>
    /// <returns>The indexes of the rare terms, rarest first.</returns>
    public static List<int> RareTerms((long Documents, int Index)[] byFrequency, long bound)
    {
        Array.Sort(byFrequency);
        var rare = new List<int>();
        long together = 0;
        foreach (var (documents, index) in byFrequency)
        {
            if (documents == 0)
            {
                continue;
            }

            if (together + documents > bound)
            {
                break;
            }

            together += documents;
            rare.Add(index);
        }

        return rare;
    }
}
