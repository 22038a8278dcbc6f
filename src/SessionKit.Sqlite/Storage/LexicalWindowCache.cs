namespace SessionKit.Sqlite;

/// <summary>
/// The lexical windows of the users searched most recently (at most <see cref="Capacity"/>), and which users were
/// searched before: a window is built for a user's second bounded search, so a user searched once costs nothing more.
/// <see cref="Clear"/> (after anything deletes text) drops every window and the vocabulary, so deleted words do not
/// linger in memory; a window read before the clear is not kept.
/// </summary>
internal sealed class LexicalWindowCache
{
    /// <summary>How many users' windows are kept (about 0.3 MB each at 1,000 rows).</summary>
    public const int Capacity = 16;

    // Users remembered as searched before; forgotten all at once beyond this.
    private const int MaxSeen = 4_096;

    private readonly object _gate = new();
    private Generation _generation = new();

    /// <summary>The current generation: read it before reading the database, and hand it back to <see cref="Put"/>.</summary>
    public Generation Current
    {
        get
        {
            lock (_gate)
            {
                if (_generation.Vocabulary.WordCount > LexicalVocabulary.MaxWords)
                {
                    _generation = new Generation();
                }

                return _generation;
            }
        }
    }

    /// <summary>The window kept for <paramref name="userKey"/>, if any.</summary>
    public LexicalWindow? Get(Generation generation, string userKey)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(generation, _generation) || !generation.Windows.TryGetValue(userKey, out var entry))
            {
                return null;
            }

            entry.LastUsed = ++generation.Clock;
            return entry.Window;
        }
    }

    /// <summary>Whether a window is worth building for <paramref name="userKey"/>: true from the user's second search on.</summary>
    public bool SeenBefore(Generation generation, string userKey)
    {
        lock (_gate)
        {
            if (generation.Seen.Contains(userKey))
            {
                return true;
            }

            if (generation.Seen.Count >= MaxSeen)
            {
                generation.Seen.Clear();
            }

            generation.Seen.Add(userKey);
            return false;
        }
    }

    /// <summary>Keeps <paramref name="window"/> for <paramref name="userKey"/> unless the cache was cleared since <paramref name="generation"/> was read.</summary>
    public void Put(Generation generation, string userKey, LexicalWindow window)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(generation, _generation))
            {
                return;
            }

            var windows = generation.Windows;
            if (!windows.ContainsKey(userKey) && windows.Count >= Capacity)
            {
                string? oldest = null;
                long oldestUse = long.MaxValue;
                foreach (var (key, entry) in windows)
                {
                    if (entry.LastUsed < oldestUse)
                    {
                        oldest = key;
                        oldestUse = entry.LastUsed;
                    }
                }

                windows.Remove(oldest!);
            }

            windows[userKey] = new Entry(window) { LastUsed = ++generation.Clock };
        }
    }

    /// <summary>Drops the window of <paramref name="userKey"/> (a user the cache cannot serve).</summary>
    public void Remove(Generation generation, string userKey)
    {
        lock (_gate)
        {
            generation.Windows.Remove(userKey);
        }
    }

    /// <summary>Drops every window and the vocabulary.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _generation = new Generation();
        }
    }

    /// <summary>Windows and the vocabulary their stem numbers come from, replaced together.</summary>
    internal sealed class Generation
    {
        public LexicalVocabulary Vocabulary { get; } = new();

        public Dictionary<string, Entry> Windows { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Seen { get; } = new(StringComparer.Ordinal);

        public long Clock { get; set; }
    }

    internal sealed class Entry(LexicalWindow window)
    {
        public LexicalWindow Window { get; } = window;

        public long LastUsed { get; set; }
    }
}
