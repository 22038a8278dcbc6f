namespace SessionKit;

/// <summary>One key/value entry of shared state.</summary>
public sealed record StateEntry
{
    /// <summary>The scope.</summary>
    public required StateScope Scope { get; init; }

    /// <summary>The scope's id: <see langword="null"/> for <see cref="StateScope.App"/>, the user id, or the session id ("D" format).</summary>
    public string? ScopeId { get; init; }

    /// <summary>The key, unique within the scope.</summary>
    public required string Key { get; init; }

    /// <summary>The value (any text; JSON is a good choice).</summary>
    public required string Value { get; init; }

    /// <summary>1 when created, incremented by every change; pass it as an expected version for compare-and-set.</summary>
    public required long Version { get; init; }

    /// <summary>When the entry was last written (UTC, from the store's clock).</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Which agent or person wrote it last, if said.</summary>
    public string? UpdatedBy { get; init; }
}
