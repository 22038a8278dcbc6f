namespace SessionKit;

/// <summary>How much an export wrote.</summary>
public sealed record UserExportResult
{
    /// <summary>How many sessions were exported.</summary>
    public long Sessions { get; init; }

    /// <summary>How many messages were exported.</summary>
    public long Messages { get; init; }

    /// <summary>How many summaries were exported.</summary>
    public long Summaries { get; init; }

    /// <summary>How many devices were exported.</summary>
    public long Devices { get; init; }

    /// <summary>How many session tokens were exported (metadata only).</summary>
    public long Tokens { get; init; }

    /// <summary>How many access grants the user has given were exported.</summary>
    public long Grants { get; init; }

    /// <summary>How many state entries were exported: the user's own (user scope) and those of their sessions (session and temp scopes).</summary>
    public long StateEntries { get; init; }
}
