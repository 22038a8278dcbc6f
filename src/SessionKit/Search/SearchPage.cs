namespace SessionKit;

/// <summary>One page of ranked search hits; the same paging shape as <see cref="SessionPage"/>.</summary>
/// <param name="Items">The hits, most relevant first.</param>
/// <param name="NextCursor">Pass as <see cref="SearchQuery.Cursor"/> (with the same query otherwise) for the next page;
/// <see langword="null"/> when there are no more hits.</param>
public sealed record SearchPage(IReadOnlyList<SearchHit> Items, string? NextCursor)
{
    /// <summary>No hits.</summary>
    public static SearchPage Empty { get; } = new([], null);
}
