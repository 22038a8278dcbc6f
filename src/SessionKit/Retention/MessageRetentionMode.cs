namespace SessionKit;

/// <summary>What history retention does with messages older than <see cref="RetentionOptions.MessageRetention"/>.</summary>
public enum MessageRetentionMode
{
    /// <summary>Old messages are deleted, and so are the summaries that cover only deleted messages.</summary>
    DeleteMessages = 0,

    /// <summary>
    /// Old messages are deleted once a summary covers them, and the summaries are kept, so the session remembers the gist of
    /// what was said without the words. Old messages that no summary covers yet stay until one does.
    /// </summary>
    KeepSummariesOnly = 1,
}
