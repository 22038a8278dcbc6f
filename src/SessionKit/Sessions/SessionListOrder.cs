namespace SessionKit;

/// <summary>The order of <see cref="ISessionStore.ListSessionsAsync"/>.</summary>
public enum SessionListOrder
{
    /// <summary>
    /// Most recent activity first (the default: what a conversation list shows). Not stable while sessions change: a session
    /// that gets activity during a paged listing moves to the top, so pages after that may skip it (it was already passed)
    /// or show it twice. Use <see cref="Created"/> to visit every session exactly once.
    /// </summary>
    LastActivity = 0,

    /// <summary>
    /// Newest session first by id, which is time-ordered (version 7), so by creation. Stable for full scans: activity never
    /// moves a session, so paging visits every session that existed when the listing started exactly once.
    /// </summary>
    Created = 1,
}
