using Microsoft.Extensions.AI;
using SessionKit;

namespace ResearchAssistant;

/// <summary>
/// The assistant's side of the return, deterministic and offline: it answers "what did you say about X?" by quoting the
/// sentences of the context window that best match X, and cites the item they came from. It sees only the window, as a
/// model would, so whatever the builder puts there — summaries today, recalled messages once they exist — is used.
/// </summary>
/// <remarks>With <c>--semantic</c> it matches by meaning instead: the sentence closest to the question by the embedding model.</remarks>
internal sealed class OfflineResponder(ISessionStore store, TimeProvider clock, IEmbeddingGenerator<string, Embedding<float>>? meaning = null)
{
    // Below this cosine similarity a sentence is not about the question (all-MiniLM-L6-v2: unrelated sentences score ~0.1).
    private const float MinSimilarity = 0.35f;

    private const int MaxQuotedSentences = 2;

    // A phrase of the question found as a phrase ("carbon cycle", "sea level") counts for more than its words found apart.
    private const double PhraseBonus = 0.5;

    public async Task<string> AnswerAsync(ContextWindow window, string question, CancellationToken cancellationToken = default)
    {
        var asked = ContentTerms.Of(question);
        if (asked.Count == 0)
        {
            return "What would you like me to look up in our conversation?";
        }

        var quotes = meaning is null ? BestStatements(window, asked) : await ClosestStatementsAsync(window, question, meaning, cancellationToken);
        if (quotes.Count == 0)
        {
            return $"I can't find anything about {string.Join(' ', asked)} in what I remember of our conversation.";
        }

        var source = quotes[0].Source;
        var saidAt = await WhenSaidAsync(window.SessionId, source, cancellationToken);
        string when = ElapsedTime.Capitalized(ElapsedTime.Ago(clock.GetUtcNow() - saidAt));
        string quoted = string.Join(' ', quotes.Select(quote => quote.Text));
        return $"{when} I said: “{quoted}” (from {ContextItemDescriptions.SourceOf(source)} of my context window)";
    }

    /// <summary>The best-matching statement and, from the same item, the next best one that also matches, in the item's order.</summary>
    private static List<Statement> BestStatements(ContextWindow window, IReadOnlyList<string> asked)
    {
        // At least half of what was asked about must be there: "rise" alone does not make a sentence about sea-level rise.
        int enough = (asked.Distinct().Count() + 1) / 2;
        var candidates = AssistantStatements.In(window)
            .Select((statement, position) => (Statement: statement, Position: position, Relevance: Relevance(statement.Text, asked, enough)))
            .Where(candidate => candidate.Relevance > 0)
            .ToList();
        if (candidates.Count == 0)
        {
            return [];
        }

        // Among equals, cite the item that places the words earliest: that is when they were first said (a summary of
        // day 0 rather than a later answer quoting it).
        var best = candidates.OrderByDescending(c => c.Relevance).ThenBy(c => c.Statement.Source.Sequences.To).First();
        return candidates
            .Where(c => ReferenceEquals(c.Statement.Source, best.Statement.Source))
            .DistinctBy(c => c.Statement.Text)
            .OrderByDescending(c => c.Relevance)
            .Take(MaxQuotedSentences)
            .OrderBy(c => c.Position)
            .Select(c => c.Statement)
            .ToList();
    }

    /// <summary>The statement closest in meaning to the question and the next closest from the same item, in the item's order.</summary>
    private static async Task<List<Statement>> ClosestStatementsAsync(ContextWindow window, string question, IEmbeddingGenerator<string, Embedding<float>> generator, CancellationToken cancellationToken)
    {
        var statements = AssistantStatements.In(window).DistinctBy(s => (s.Text, s.Source)).ToList();
        if (statements.Count == 0)
        {
            return [];
        }

        var vectors = await generator.GenerateAsync([question, .. statements.Select(s => s.Text)], cancellationToken: cancellationToken);
        float[] asked = vectors[0].Vector.ToArray();
        var scored = statements.Select((statement, i) => (Statement: statement, Position: i, Similarity: Dot(asked, vectors[i + 1].Vector.Span)))
            .Where(c => c.Similarity >= MinSimilarity)
            .ToList();
        if (scored.Count == 0)
        {
            return [];
        }

        var best = scored.OrderByDescending(c => c.Similarity).ThenBy(c => c.Statement.Source.Sequences.To).First();
        return scored
            .Where(c => ReferenceEquals(c.Statement.Source, best.Statement.Source))
            .OrderByDescending(c => c.Similarity)
            .Take(MaxQuotedSentences)
            .OrderBy(c => c.Position)
            .Select(c => c.Statement)
            .ToList();
    }

    // The model's vectors have unit length, so the dot product is the cosine similarity.
    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float sum = 0;
        for (int i = 0; i < a.Length && i < b.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static double Relevance(string sentence, IReadOnlyList<string> asked, int enough)
    {
        var said = ContentTerms.Of(sentence);
        int matched = asked.Distinct().Count(said.Contains);
        if (matched < enough)
        {
            return 0;
        }

        int phrases = PhrasesOf(asked).Intersect(PhrasesOf(said)).Count();
        return matched + (PhraseBonus * phrases);
    }

    private static IEnumerable<(string, string)> PhrasesOf(IReadOnlyList<string> terms) =>
        terms.Zip(terms.Skip(1));

    private async Task<DateTimeOffset> WhenSaidAsync(Guid sessionId, ContextItem source, CancellationToken cancellationToken)
    {
        if (source.Kind != ContextItemKind.Summary && source.CreatedAt is { } written)
        {
            return written;
        }

        // A summary's CreatedAt is when it was made (often during this very build), not when its words were said; the
        // store knows when the last message it covers was written. Only the date comes from there, never words.
        var anchor = await store.GetMessagesAsync(sessionId, source.Sequences.To, source.Sequences.To, cancellationToken);
        return anchor.Count > 0 ? anchor[0].CreatedAt : clock.GetUtcNow();
    }
}
