namespace SessionKit.Sqlite;

/// <summary>
/// One user's newest messages (at most <see cref="Bound"/>, newest row first) as a bounded search ranks them: each row's
/// stems with their counts and its length, and the order keys, with no text. It describes the data as of
/// <see cref="Sessions"/>, the version and last sequence of every session the user had then: every change to a
/// session's messages advances its version (appends, edits, deletes, rewinds, retention), and sessions that appear or
/// disappear (created, forked, transferred, deleted, erased) change the set, so a window whose sessions are still the
/// user's sessions, at the same versions, is still exact. Immutable: a refresh makes a new window sharing the rows.
/// </summary>
internal sealed class LexicalWindow(int bound, long from, LexicalWindow.Row[] rows, Dictionary<Guid, LexicalWindow.SessionMark> sessions, LexicalVocabulary vocabulary)
{
    /// <summary>How many of the newest rows the window was built for.</summary>
    public int Bound { get; } = bound;

    /// <summary>The smallest row id in the window when the user had at least <see cref="Bound"/> messages, else 0.</summary>
    public long From { get; } = from;

    /// <summary>The rows, newest (highest row id) first.</summary>
    public Row[] Rows { get; } = rows;

    /// <summary>The user's sessions when the window was read: version and last sequence by session id.</summary>
    public Dictionary<Guid, SessionMark> Sessions { get; } = sessions;

    /// <summary>The vocabulary the rows' stem numbers come from.</summary>
    public LexicalVocabulary Vocabulary { get; } = vocabulary;

    /// <summary>Whether <paramref name="current"/> (the user's sessions now) is exactly <see cref="Sessions"/>.</summary>
    public bool IsCurrent(Dictionary<Guid, SessionMark> current)
    {
        if (current.Count != Sessions.Count)
        {
            return false;
        }

        foreach (var (id, mark) in current)
        {
            if (!Sessions.TryGetValue(id, out var seen) || seen != mark)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A session's state: its version and last sequence.</summary>
    public readonly record struct SessionMark(long Version, long LastSequence);

    /// <summary>One message: its row id, the order keys of a bounded search, its word count and its distinct stems (sorted) with their counts.</summary>
    public sealed record Row(long RowId, long CreatedAt, byte[] SessionId, Guid Session, long Sequence, int Length, int[] Stems, int[] Counts)
    {
        /// <summary>How often the stem numbered <paramref name="stem"/> occurs in the message.</summary>
        public int Frequency(int stem)
        {
            int at = Array.BinarySearch(Stems, stem);
            return at >= 0 ? Counts[at] : 0;
        }
    }
}
