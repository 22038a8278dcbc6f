namespace SessionKit;

/// <summary>One page of a user's sessions, newest activity first.</summary>
/// <param name="Items">The sessions on this page.</param>
/// <param name="NextCursor">
/// An opaque cursor for the next page, or <see langword="null"/> when this is the last page. Paging is keyset-based:
/// a session is never skipped or repeated because other sessions were created or deleted meanwhile.
/// </param>
public sealed record SessionPage(IReadOnlyList<Session> Items, string? NextCursor);
