namespace SessionKit;

/// <summary>Paging for <see cref="ISessionStore.ListSessionsAsync"/>.</summary>
public sealed record SessionListOptions
{
    /// <summary>The largest page size a store accepts.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>How many sessions to return at most (1 to <see cref="MaxPageSize"/>; default 50).</summary>
    public int PageSize { get; init; } = 50;

    /// <summary>The <see cref="SessionPage.NextCursor"/> of the previous page (listed in the same <see cref="Order"/>), or <see langword="null"/> for the first page.</summary>
    public string? Cursor { get; init; }

    /// <summary>
    /// The order: <see cref="SessionListOrder.LastActivity"/> (default) for display, <see cref="SessionListOrder.Created"/> for
    /// a full scan that must see every session exactly once while sessions keep changing.
    /// </summary>
    public SessionListOrder Order { get; init; } = SessionListOrder.LastActivity;
}
