namespace SessionKit;

/// <summary>Paging for <see cref="ISessionStore.ListSessionsAsync"/>.</summary>
public sealed record SessionListOptions
{
    /// <summary>The largest page size a store accepts.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>How many sessions to return at most (1 to <see cref="MaxPageSize"/>; default 50).</summary>
    public int PageSize { get; init; } = 50;

    /// <summary>The <see cref="SessionPage.NextCursor"/> of the previous page, or <see langword="null"/> for the first page.</summary>
    public string? Cursor { get; init; }
}
