using SessionKit.Storage;

namespace SessionKit;

public sealed partial class ContextBuilder
{
    /// <summary>Two recalled texts sharing more than this share of their words say the same thing; the second is skipped.</summary>
    private const double MaxRecallOverlap = 0.7;

    /// <summary>Sentences shorter than this (characters) are too common to count as quoted by a summary.</summary>
    private const int MinQuotedSentence = 12;

    /// <summary>
    /// Chooses what to recall from search hits, best first, within <paramref name="cap"/>: for a matching question, the
    /// answer that followed it (with the question when both fit, else the answer alone) — a question that merely repeats the
    /// query's words holds no fact; never a message the verbatim window holds, half of a tool call, the same text twice, or
    /// a text that mostly repeats one already chosen (so a few hits on one point do not crowd out the others), nor a message
    /// a summary in the window covers at level <paramref name="coveredLevel"/> or below (the summary stands for it: the
    /// cache-stable layout passes 1; the fill layout 0) or that shares a sentence with a covering summary (the summary
    /// quotes it). A summary is a gist: beside it, the recalled message brings back the detail it dropped.
    /// </summary>
    private async Task<List<TailMessage>> SelectRecalledAsync(
        Guid sessionId, List<SearchHit> hits, Composition window, List<SessionSummary> summaries, int coveredLevel, int cap, CancellationToken cancellationToken)
    {
        var recalled = new List<TailMessage>();
        if (hits.Count == 0)
        {
            return recalled;
        }

        long verbatimStart = window.VerbatimStart();
        var verbatimTexts = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < window.VerbatimCount; i++)
        {
            verbatimTexts.Add(window.Tail[i].Message.Content);
        }

        var chosenWords = new List<HashSet<string>>();
        var chosen = new HashSet<(Guid, long)>();
        int used = 0;
        int answerLookups = 0;
        foreach (var hit in hits)
        {
            var message = hit.Message;
            if (!Recallable(message))
            {
                continue;
            }

            TailMessage? answer = null;
            if (message.Role == MessageRole.User && answerLookups < _options.MaxRecalledMessages * 2)
            {
                answerLookups++;
                answer = await AnswerToAsync(message, cancellationToken).ConfigureAwait(false) is { } next && Recallable(next)
                    ? new TailMessage(next, TokenCounting.CountMessageCached(_counter, next))
                    : null;
            }

            var question = new TailMessage(message, TokenCounting.CountMessageCached(_counter, message));
            TailMessage[][] options = answer is { } a ? [[question, a], [a], [question]] : [[question]];
            foreach (var option in options)
            {
                int tokens = option.Sum(static m => m.Tokens);
                if (used + tokens > cap || recalled.Count + option.Length > _options.MaxRecalledMessages || !Diverse(option, chosenWords))
                {
                    continue;
                }

                foreach (var m in option)
                {
                    recalled.Add(m);
                    chosen.Add((m.Message.SessionId, m.Sequence));
                    chosenWords.Add(Words(m.Message.Content));
                }

                used += tokens;
                break;
            }

            if (recalled.Count >= _options.MaxRecalledMessages)
            {
                break;
            }
        }

        return recalled;

        bool Recallable(SessionMessage m) =>
            !(m.SessionId == sessionId && m.Sequence >= verbatimStart)
            && m.Role != MessageRole.Tool
            && m.ToolCallId is null
            && !m.Metadata.ContainsKey(MessageGroups.PartMetadataKey)
            && !chosen.Contains((m.SessionId, m.Sequence))
            && !verbatimTexts.Contains(m.Content)
            && !recalled.Exists(r => string.Equals(r.Message.Content, m.Content, StringComparison.Ordinal))
            && !(m.SessionId == sessionId && summaries.Exists(s => m.Sequence >= s.FromSequence && m.Sequence <= s.ToSequence
                && (s.Level <= coveredLevel || Quotes(s.Content, m.Content))));
    }

    /// <summary>Whether <paramref name="summary"/> contains the whole of <paramref name="text"/> or any one of its sentences.</summary>
    private static bool Quotes(string summary, string text)
    {
        if (summary.Contains(text, StringComparison.Ordinal))
        {
            return true;
        }

        int start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] is not ('.' or '?' or '!' or '\n'))
            {
                continue;
            }

            var sentence = text.AsSpan(start, Math.Min(i + 1, text.Length) - start).Trim();
            if (sentence.Length >= MinQuotedSentence && summary.AsSpan().Contains(sentence, StringComparison.Ordinal))
            {
                return true;
            }

            start = i + 1;
        }

        return false;
    }

    /// <summary>The assistant message right after <paramref name="question"/> in its session, if that is a plain answer (not a tool call).</summary>
    private async Task<SessionMessage?> AnswerToAsync(SessionMessage question, CancellationToken cancellationToken)
    {
        IReadOnlyList<SessionMessage> next;
        try
        {
            next = await _store.GetMessagesAsync(question.SessionId, question.Sequence + 1, question.Sequence + 1, cancellationToken).ConfigureAwait(false);
        }
        catch (SessionAccessDeniedException)
        {
            return null;
        }

        return next.Count == 1 && next[0].Role == MessageRole.Assistant && next[0].ToolCallId is null ? next[0] : null;
    }

    private static bool Diverse(TailMessage[] option, List<HashSet<string>> chosen)
    {
        foreach (var candidate in option)
        {
            var words = Words(candidate.Message.Content);
            foreach (var other in chosen)
            {
                int common = 0;
                foreach (string word in words)
                {
                    if (other.Contains(word))
                    {
                        common++;
                    }
                }

                int union = words.Count + other.Count - common;
                if (union > 0 && (double)common / union > MaxRecallOverlap)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static HashSet<string> Words(string text)
    {
        var words = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool letter = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (letter && start < 0)
            {
                start = i;
            }
            else if (!letter && start >= 0)
            {
                words.Add(text[start..i]);
                start = -1;
            }
        }

        return words;
    }
}
