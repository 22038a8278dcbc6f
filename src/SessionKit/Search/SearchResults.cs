namespace SessionKit;

/// <summary>One page of ranked search hits.</summary>
/// <param name="Hits">The hits, most relevant first.</param>
/// <param name="NextOffset">The <see cref="SearchQuery.Offset"/> of the next page, or <see langword="null"/> when there are no more hits.</param>
public sealed record SearchResults(IReadOnlyList<SearchHit> Hits, int? NextOffset)
{
    /// <summary>No hits.</summary>
    public static SearchResults Empty { get; } = new([], null);
}
