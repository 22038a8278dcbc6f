using System.Globalization;
using System.Text;

namespace SessionKit;

/// <summary>
/// An offline, deterministic <see cref="ISummarizer"/>: keeps the block's most informative sentences verbatim, within the
/// token target, in their original order. No model is called.
/// </summary>
/// <remarks>
/// <para>
/// Each message (or, for a roll-up, each line of each summary) is split into sentences, which are scored by: the salience
/// of their terms over the block (terms that recur across messages and terms the user asked about weigh more; English
/// function words and small talk are ignored), recurring two-word terms ("carbon cycle"), named entities and acronyms,
/// quantities (numbers with units, percentages, years; more in the answer to "How much …?"), whether they answer the
/// user's preceding message or are the user's question, definitions ("X is …", "X means …"), and a mild bonus for opening
/// a message (more for the lead of an answer). Small talk ("Sure!", "Great question.", "Thanks") and repeats are dropped
/// while anything else is left.
/// </para>
/// <para>
/// A summary keeps what was established: the statements of the assistant, tools and system. What the user said is kept
/// only as the lead-in to its answer: a user sentence is a candidate once a sentence of the reply to it (everything up to the
/// next user message, within the same summary when rolling up) is kept, so its line always comes directly before a line of
/// its own answer; it ranks at half its score, so a tight budget goes to answers first, and it is the first thing dropped
/// when the text has to be trimmed. Only a block with nothing but the user's words (and small talk) keeps them on their own.
/// </para>
/// <para>
/// The best sentences are kept greedily while the text, counted with the <see cref="ITokenCounter"/>, stays within
/// <see cref="SummarizationRequest.TargetTokens"/>; they are written in their original order, one line per message, each
/// line prefixed by its speaker (<c>User asked: …</c>, <c>User: …</c>, <c>Assistant: …</c>). When not even one sentence
/// fits, the best statement is cut at a word boundary and ends with <c>…</c>. The same request always gives the same text.
/// </para>
/// <para>The instance holds no state and is safe to share across threads.</para>
/// </remarks>
public sealed class ExtractiveSummarizer : ISummarizer
{
    private const string Ellipsis = "…";
    private const int CancellationCheckInterval = 16;
    private const double MinimumShare = 0.2;

    // What the user said ranks at this share of its score: it is context for an answer, not a fact of its own.
    private const double UserFactor = 0.5;

    private static readonly HashSet<string> NoneCovered = [];

    private readonly ITokenCounter _tokenCounter;

    /// <summary>Creates a summarizer that counts with <see cref="SharpTokenCounter.Default"/> (<c>o200k_base</c>).</summary>
    public ExtractiveSummarizer()
        : this(SharpTokenCounter.Default)
    {
    }

    /// <summary>Creates a summarizer that measures its output with <paramref name="tokenCounter"/>.</summary>
    /// <param name="tokenCounter">The counter the target is measured with; use the one the context is budgeted with.</param>
    public ExtractiveSummarizer(ITokenCounter tokenCounter)
    {
        ArgumentNullException.ThrowIfNull(tokenCounter);
        _tokenCounter = tokenCounter;
    }

    /// <summary><c>extractive/2</c> (<c>extractive/1</c> could keep a user's question without its answer).</summary>
    public string Id => "extractive/2";

    /// <summary>Summarizes the request's messages, or rolls up its summaries, within its token target.</summary>
    /// <param name="request">
    /// Either messages or summaries (not both), and a target of at least 1 token. A <see cref="SummarizationRequest.PreviousSummary"/>
    /// is used as context: its terms weigh a little more and its sentences are not repeated.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>
    /// A non-empty text whose token count is at most the target. The one exception: a target too small for even the first
    /// character of the best sentence gets that character anyway.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The request has neither messages nor summaries, or both.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="SummarizationRequest.TargetTokens"/> is less than 1.</exception>
    public Task<SummarizationResult> SummarizeAsync(SummarizationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var messages = request.Messages ?? [];
        var summaries = request.Summaries ?? [];
        if (messages.Count == 0 && summaries.Count == 0)
        {
            throw new ArgumentException("The request has neither messages nor summaries to summarize.", nameof(request));
        }

        if (messages.Count > 0 && summaries.Count > 0)
        {
            throw new ArgumentException("The request has both messages and summaries; summarize one kind at a time.", nameof(request));
        }

        if (request.TargetTokens < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.TargetTokens, "TargetTokens must be at least 1.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<SummarizationResult>(cancellationToken);
        }

        try
        {
            var text = Summarize(messages, summaries, request.PreviousSummary, request.TargetTokens, cancellationToken);
            return Task.FromResult(new SummarizationResult(text));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<SummarizationResult>(cancellationToken);
        }
    }

    private string Summarize(
        IReadOnlyList<SessionMessage> messages,
        IReadOnlyList<SessionSummary> summaries,
        string? previousSummary,
        int target,
        CancellationToken cancellationToken)
    {
        var units = messages.Count > 0 ? MessageUnits(messages) : SummaryUnits(summaries);
        var sentences = new List<Sentence>();
        var rawSentences = new List<string>();
        for (var u = 0; u < units.Count; u++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var indexInUnit = 0;
            foreach (var line in SentenceSplitter.SplitLines(units[u].Text))
            {
                rawSentences.Clear();
                SentenceSplitter.SplitSentences(line.Text, rawSentences);
                foreach (var raw in rawSentences)
                {
                    sentences.Add(Sentence.Create(u, sentences.Count, indexInUnit++, raw, line.IsCode));
                }
            }
        }

        if (sentences.Count == 0)
        {
            // Only whitespace or punctuation, or tool calls without arguments: say what happened rather than nothing.
            return Fit(null, Describe(units), target);
        }

        var owners = AnswerOwners(units);
        Score(units, owners, sentences, previousSummary, cancellationToken);
        return Select(units, owners, sentences, target, cancellationToken);
    }

    private static List<Unit> MessageUnits(IReadOnlyList<SessionMessage> messages)
    {
        var units = new List<Unit>(messages.Count);
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            var isToolCall = message.Role == MessageRole.Assistant && !string.IsNullOrEmpty(message.ToolName);
            var label = message.Role switch
            {
                MessageRole.User => "User",
                MessageRole.Assistant when isToolCall => "Assistant called " + message.ToolName,
                MessageRole.Assistant => "Assistant",
                MessageRole.Tool when !string.IsNullOrEmpty(message.ToolName) => "Tool " + message.ToolName,
                MessageRole.Tool => "Tool",
                MessageRole.System => "System",
                _ => message.Role.ToString(),
            };
            units.Add(new Unit(message.Content ?? string.Empty, message.Role, label, isToolCall, 0));
        }

        return units;
    }

    private static List<Unit> SummaryUnits(IReadOnlyList<SessionSummary> summaries)
    {
        // A level-1 extractive summary has one speaker-labelled line per message; keep the speakers through the roll-up.
        var units = new List<Unit>();
        for (var group = 0; group < summaries.Count; group++)
        {
            var summary = summaries[group];
            ArgumentNullException.ThrowIfNull(summary, nameof(summaries));
            var text = summary.Content ?? string.Empty;
            foreach (var range in text.AsSpan().Split('\n'))
            {
                var line = text.AsSpan(range).Trim().ToString();
                if (line.Length == 0)
                {
                    continue;
                }

                var match = TextFeatures.SpeakerLabel().Match(line);
                if (!match.Success)
                {
                    units.Add(new Unit(line, null, null, false, group));
                    continue;
                }

                var label = match.Groups["label"].Value;
                var role = label.StartsWith("User", StringComparison.Ordinal) ? MessageRole.User
                    : label.StartsWith("Assistant", StringComparison.Ordinal) ? MessageRole.Assistant
                    : label.StartsWith("Tool", StringComparison.Ordinal) ? MessageRole.Tool
                    : MessageRole.System;
                if (role == MessageRole.User)
                {
                    label = "User";
                }

                units.Add(new Unit(line[match.Length..], role, label, label.StartsWith("Assistant called", StringComparison.Ordinal), group));
            }
        }

        return units;
    }

    /// <summary>
    /// For each unit that is not the user's, the user unit whose answer it is part of: the latest user unit before it, with no
    /// other user unit in between, in the same summary when rolling up; -1 for user units and for what no user unit precedes.
    /// </summary>
    private static int[] AnswerOwners(List<Unit> units)
    {
        var owners = new int[units.Count];
        var owner = -1;
        for (var u = 0; u < units.Count; u++)
        {
            if (u > 0 && units[u].Group != units[u - 1].Group)
            {
                owner = -1;
            }

            if (units[u].IsUser)
            {
                owner = u;
                owners[u] = -1;
            }
            else
            {
                owners[u] = owner;
            }
        }

        return owners;
    }

    private static void Score(List<Unit> units, int[] owners, List<Sentence> sentences, string? previousSummary, CancellationToken cancellationToken)
    {
        // Block statistics: how often each term and two-word term occurs, and in how many units.
        var termCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var termUnits = new Dictionary<string, int>(StringComparer.Ordinal);
        var bigramCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var unitTerms = new HashSet<string>[units.Count];
        var userTerms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sentence in sentences)
        {
            var terms = unitTerms[sentence.Unit] ??= new HashSet<string>(StringComparer.Ordinal);
            foreach (var term in sentence.Terms)
            {
                termCounts[term] = termCounts.GetValueOrDefault(term) + 1;
                if (terms.Add(term))
                {
                    termUnits[term] = termUnits.GetValueOrDefault(term) + 1;
                }

                if (units[sentence.Unit].Role == MessageRole.User)
                {
                    userTerms.Add(term);
                }
            }

            foreach (var bigram in sentence.Bigrams)
            {
                bigramCounts[bigram] = bigramCounts.GetValueOrDefault(bigram) + 1;
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var previousTerms = new HashSet<string>(StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(previousSummary))
        {
            var previous = new List<string>();
            foreach (var line in SentenceSplitter.SplitLines(previousSummary))
            {
                var text = TextFeatures.SpeakerLabel().Replace(line.Text, string.Empty);
                SentenceSplitter.SplitSentences(text, previous);
            }

            foreach (var raw in previous)
            {
                var sentence = Sentence.Create(0, 0, 0, raw, false);
                seen.Add(DuplicateKey(sentence.Text));
                previousTerms.UnionWith(sentence.Terms);
            }
        }

        // For each unit, the terms of the user message it answers (assistant) or of the first reply it got (user), and
        // whether the user message an assistant unit answers asks for a quantity ("How much …?").
        var askedTerms = new HashSet<string>?[units.Count];
        var answerTerms = new HashSet<string>?[units.Count];
        var asksQuantity = new bool[units.Count];
        for (var u = 0; u < units.Count; u++)
        {
            if (owners[u] >= 0 && units[u].Role == MessageRole.Assistant && !units[u].IsToolCall)
            {
                askedTerms[u] = unitTerms[owners[u]];
                answerTerms[owners[u]] ??= unitTerms[u];
                asksQuantity[u] = TextFeatures.QuantityQuestion().IsMatch(units[owners[u]].Text);
            }
        }

        for (var i = 0; i < sentences.Count; i++)
        {
            if (i % CancellationCheckInterval == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var sentence = sentences[i];
            var unit = units[sentence.Unit];

            var weights = new double[sentence.Terms.Count];
            for (var t = 0; t < weights.Length; t++)
            {
                var term = sentence.Terms[t];
                var weight = (1 + Math.Log(termCounts[term])) * (1 + (0.3 * Math.Min(termUnits[term] - 1, 4)));
                if (userTerms.Contains(term))
                {
                    weight *= 1.3;
                }

                if (previousTerms.Contains(term))
                {
                    weight *= 1.15;
                }

                weights[t] = weight;
            }

            sentence.TermWeights = weights;
            var bigramWeights = new double[sentence.Bigrams.Count];
            for (var b = 0; b < bigramWeights.Length; b++)
            {
                var count = bigramCounts[sentence.Bigrams[b]];
                bigramWeights[b] = count >= 2 ? 0.5 * Math.Log(1 + count) : 0;
            }

            sentence.BigramWeights = bigramWeights;

            var score = sentence.EntityBonus + sentence.QuantityBonus;
            if (sentence.IsDefinition)
            {
                score += 1.0;
            }

            if (askedTerms[sentence.Unit] is { } asked)
            {
                var overlap = Overlap(sentence.Terms, asked);
                score += Math.Min(2.0, 0.5 * overlap);
                if (sentence.IndexInUnit == 0)
                {
                    score += overlap > 0 ? 0.7 : 0.35; // the lead of the answer, which often answers in other words
                }

                if (sentence.QuantityBonus > 0 && asksQuantity[sentence.Unit])
                {
                    score += 0.8; // "How much …?" is answered by the numbers
                }
            }

            if (answerTerms[sentence.Unit] is { } answered)
            {
                var overlap = Overlap(sentence.Terms, answered);
                score += Math.Min(1.2, 0.4 * overlap);
                if (sentence.IsQuestion && overlap > 0)
                {
                    score += 0.8;
                }
            }

            if (sentence.IndexInUnit == 0)
            {
                score += 0.3;
            }

            sentence.FixedScore = score;

            var factor = unit.IsToolCall ? 0.4
                : unit.Role == MessageRole.System ? 0.6
                : unit.Role == MessageRole.Tool ? 0.8
                : unit.IsUser ? UserFactor
                : 1.0;
            if (sentence.IsCode)
            {
                factor *= 0.3;
            }

            if (sentence.WordCount < 4)
            {
                factor *= 0.6;
            }

            if (sentence.IndexInUnit > 0 && TextFeatures.DependentOpening().IsMatch(sentence.Text))
            {
                factor *= 0.8; // "This …", "As a result, …" read poorly without the sentence before
            }

            sentence.IsFiller = sentence.Terms.Count == 0
                || (sentence.Terms.Count < 3 && TextFeatures.FillerOpening().IsMatch(sentence.Text))
                || !seen.Add(DuplicateKey(sentence.Text));
            if (sentence.IsFiller)
            {
                factor *= 0.05;
            }

            sentence.Factor = factor;
            sentence.Rescore(NoneCovered, NoneCovered);
        }
    }

    private string Select(List<Unit> units, int[] owners, List<Sentence> sentences, int target, CancellationToken cancellationToken)
    {
        var candidates = sentences.Exists(s => !s.IsFiller) ? sentences.FindAll(s => !s.IsFiller) : new List<Sentence>(sentences);

        // What the user said is kept only as the lead-in to an answer that is kept too: a user sentence becomes a candidate
        // once a sentence of the reply to it (up to the next user message) is kept, and its line then sits right before that
        // reply. Only when the block holds nothing but the user's words (or small talk besides them) do they stand alone.
        var standalone = !candidates.Exists(s => !units[s.Unit].IsUser);
        var statements = standalone ? candidates : candidates.FindAll(s => !units[s.Unit].IsUser);
        var first = Best(statements);

        // A sentence worth less than this is left out even when it would fit: an unused budget beats padding.
        var floor = MinimumShare * first.Score;

        // Greedy: take the best-ranked sentence that still fits, then discount the terms it covers so the next pick adds
        // something new. Its cost is its tokens, a separator, and its speaker label if it opens a line. Token counts are not
        // exactly additive, so the joined text is counted afterwards and trimmed if need be.
        // Scores only fall as coverage grows, so a queued rank is an upper bound: a sentence is rescored only when it
        // reaches the top with a stale score (lazy greedy), which picks exactly what rescoring everything would.
        var queue = new PriorityQueue<Sentence, (double Rank, int Index)>(candidates.Count, RankOrder.Instance);
        var waiting = new Dictionary<int, List<Sentence>>();
        foreach (var candidate in candidates)
        {
            if (standalone || !units[candidate.Unit].IsUser)
            {
                queue.Enqueue(candidate, (candidate.Rank, candidate.Index));
            }
            else
            {
                if (!waiting.TryGetValue(candidate.Unit, out var list))
                {
                    waiting[candidate.Unit] = list = [];
                }

                list.Add(candidate);
            }
        }

        var labelCosts = new Dictionary<string, int>(StringComparer.Ordinal);
        var openedUnits = new HashSet<int>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        var asked = new HashSet<string>(StringComparer.Ordinal);
        var selected = new List<Sentence>();
        var used = 0;
        while (target - used >= 2 && queue.TryDequeue(out var sentence, out _))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (sentence.ScoredAt != selected.Count)
            {
                sentence.Rescore(covered, asked);
                sentence.ScoredAt = selected.Count;
                queue.Enqueue(sentence, (sentence.Rank, sentence.Index));
                continue;
            }

            // What the user said ranks below the answers (UserFactor) but is judged on its own worth against the floor.
            if (selected.Count > 0 && sentence.Score < (standalone || !units[sentence.Unit].IsUser ? floor : UserFactor * floor))
            {
                continue;
            }

            var cost = TokensOf(sentence) + 1;
            if (!openedUnits.Contains(sentence.Unit) && units[sentence.Unit].Label is { } label)
            {
                cost += LabelCost(label + (units[sentence.Unit].IsUser ? " asked" : string.Empty), labelCosts);
            }

            if (used + cost > target)
            {
                // The estimate is on the safe side (a label and a line break often merge with the words next to them): when
                // the sentence on its own would fit, count the text it would make.
                if (used + TokensOf(sentence) > target || CountWith(units, selected, sentence) is var exact && exact > target)
                {
                    continue;
                }

                cost = exact - used;
            }

            selected.Add(sentence);
            openedUnits.Add(sentence.Unit);
            used += cost;

            // A question names a topic: it makes a second question on that topic redundant, but not the answer.
            var coveredBy = sentence.IsQuestion ? asked : covered;
            coveredBy.UnionWith(sentence.Terms);
            coveredBy.UnionWith(sentence.Bigrams);

            // Part of a reply is kept: what the user said to get it may now lead it in.
            if (owners[sentence.Unit] is var owner and >= 0 && waiting.Remove(owner, out var leadIns))
            {
                foreach (var leadIn in leadIns)
                {
                    leadIn.Rescore(covered, asked);
                    leadIn.ScoredAt = selected.Count;
                    queue.Enqueue(leadIn, (leadIn.Rank, leadIn.Index));
                }
            }
        }

        selected.Sort((a, b) => a.Index.CompareTo(b.Index));
        while (selected.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var text = Render(units, selected);
            if (_tokenCounter.CountTokens(text) <= target)
            {
                return text;
            }

            if (selected.Count == 1)
            {
                break;
            }

            // Drop the weakest of what the user said, else the weakest answer (the latest among equals), then what the user
            // said that no longer leads in a kept answer, and try again.
            selected.Remove(Weakest(selected, s => units[s.Unit].IsUser) ?? Weakest(selected, _ => true)!);
            if (!standalone)
            {
                selected.RemoveAll(s => units[s.Unit].IsUser && !selected.Exists(a => owners[a.Unit] == s.Unit));
            }
        }

        var best = selected.Count == 1 ? selected[0] : first;
        var bestUnit = units[best.Unit];
        var bestLabel = bestUnit.IsUser && best.IsQuestion ? "User asked" : bestUnit.Label;
        return Fit(bestLabel, best.Text, target);
    }

    /// <summary>The tokens of the text <paramref name="selected"/> and <paramref name="sentence"/> would make together.</summary>
    private int CountWith(List<Unit> units, List<Sentence> selected, Sentence sentence)
    {
        var trial = new List<Sentence>(selected.Count + 1);
        trial.AddRange(selected);
        trial.Add(sentence);
        trial.Sort((a, b) => a.Index.CompareTo(b.Index));
        return _tokenCounter.CountTokens(Render(units, trial));
    }

    private static Sentence? Weakest(List<Sentence> sentences, Predicate<Sentence> among)
    {
        Sentence? weakest = null;
        foreach (var sentence in sentences)
        {
            if (among(sentence) && (weakest is null || ByRank(sentence, weakest) > 0))
            {
                weakest = sentence;
            }
        }

        return weakest;
    }

    private static Sentence Best(List<Sentence> candidates)
    {
        var best = candidates[0];
        foreach (var candidate in candidates)
        {
            if (ByRank(candidate, best) < 0)
            {
                best = candidate;
            }
        }

        return best;
    }

    private static int ByRank(Sentence a, Sentence b)
    {
        var byRank = b.Rank.CompareTo(a.Rank);
        return byRank != 0 ? byRank : a.Index.CompareTo(b.Index);
    }

    private int TokensOf(Sentence sentence)
    {
        if (sentence.Tokens < 0)
        {
            sentence.Tokens = _tokenCounter.CountTokens(sentence.Text);
        }

        return sentence.Tokens;
    }

    private int LabelCost(string label, Dictionary<string, int> cache)
    {
        if (!cache.TryGetValue(label, out var cost))
        {
            cost = _tokenCounter.CountTokens(label + ":") + 1;
            cache[label] = cost;
        }

        return cost;
    }

    private static string Render(List<Unit> units, List<Sentence> selected)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < selected.Count; i++)
        {
            var sentence = selected[i];
            if (i > 0 && selected[i - 1].Unit == sentence.Unit)
            {
                builder.Append(' ').Append(sentence.Text);
                continue;
            }

            if (i > 0)
            {
                builder.Append('\n');
            }

            var unit = units[sentence.Unit];
            if (unit.Label is { } label)
            {
                builder.Append(label);
                if (unit.Role == MessageRole.User && AsksInLine(selected, i))
                {
                    builder.Append(" asked");
                }

                builder.Append(": ");
            }

            builder.Append(sentence.Text);
        }

        return builder.ToString();
    }

    private static bool AsksInLine(List<Sentence> selected, int first)
    {
        for (var i = first; i < selected.Count && selected[i].Unit == selected[first].Unit; i++)
        {
            if (selected[i].IsQuestion)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The labelled text if it fits; otherwise as many whole words as fit, then "…"; the label goes before the words do.</summary>
    private string Fit(string? label, string text, int target)
    {
        var prefix = label is null ? string.Empty : label + ": ";
        var whole = prefix + text;
        if (_tokenCounter.CountTokens(whole) <= target)
        {
            return whole;
        }

        var wordEnds = new List<int>();
        for (var i = 1; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i]) && !char.IsWhiteSpace(text[i - 1]))
            {
                wordEnds.Add(i);
            }
        }

        string[] prefixes = prefix.Length > 0 ? [prefix, string.Empty] : [string.Empty];
        foreach (var candidatePrefix in prefixes)
        {
            var words = LargestFitting(wordEnds.Count, k => candidatePrefix + TrimForEllipsis(text.AsSpan(0, wordEnds[k - 1])) + Ellipsis, target);
            if (words > 0)
            {
                return candidatePrefix + TrimForEllipsis(text.AsSpan(0, wordEnds[words - 1])) + Ellipsis;
            }
        }

        // Not even one word fits: cut inside the first word, never between the halves of a surrogate pair.
        var chars = LargestFitting(text.Length, n => CutAt(text, n) + Ellipsis, target);
        if (chars > 0)
        {
            return CutAt(text, chars) + Ellipsis;
        }

        chars = LargestFitting(text.Length, n => CutAt(text, n), target);
        if (chars > 0)
        {
            return CutAt(text, chars);
        }

        return text[..StringInfo.GetNextTextElementLength(text)];
    }

    /// <summary>The largest k in [1, max] whose rendering fits the target (token counts grow with k), or 0.</summary>
    private int LargestFitting(int max, Func<int, string> render, int target)
    {
        int low = 1, high = max, best = 0;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            if (_tokenCounter.CountTokens(render(middle)) <= target)
            {
                best = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return best;
    }

    private static string CutAt(string text, int length)
    {
        if (length < text.Length && char.IsLowSurrogate(text[length]))
        {
            length--;
        }

        return text[..length].TrimEnd();
    }

    private static string TrimForEllipsis(ReadOnlySpan<char> text) => text.TrimEnd(" ,;:-–—".AsSpan()).ToString();

    private static int Overlap(List<string> terms, HashSet<string> other)
    {
        var count = 0;
        foreach (var term in terms)
        {
            if (other.Contains(term))
            {
                count++;
            }
        }

        return count;
    }

    private static string DuplicateKey(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }

        return builder.ToString();
    }

    private static string Describe(List<Unit> units)
    {
        var calls = units.Where(u => u.IsToolCall).Select(u => u.Label!).Distinct(StringComparer.Ordinal).ToList();
        return calls.Count > 0
            ? string.Join("\n", calls) + "."
            : string.Create(CultureInfo.InvariantCulture, $"{units.Count} message(s) without text.");
    }

    /// <summary>Higher rank first; among equals, the earlier sentence.</summary>
    private sealed class RankOrder : IComparer<(double Rank, int Index)>
    {
        public static readonly RankOrder Instance = new();

        public int Compare((double Rank, int Index) x, (double Rank, int Index) y)
        {
            var byRank = y.Rank.CompareTo(x.Rank);
            return byRank != 0 ? byRank : x.Index.CompareTo(y.Index);
        }
    }

    /// <summary>A message, or a line of a summary being rolled up, with its speaker.</summary>
    /// <param name="Text">The text.</param>
    /// <param name="Role">The speaker, if known.</param>
    /// <param name="Label">The speaker label written before its line, if any.</param>
    /// <param name="IsToolCall">Whether it is an assistant's tool call.</param>
    /// <param name="Group">The summary a line of a roll-up comes from (0 for messages): a user line is answered only within its summary.</param>
    private sealed record Unit(string Text, MessageRole? Role, string? Label, bool IsToolCall, int Group)
    {
        public bool IsUser => Role == MessageRole.User;
    }
}
