namespace SessionKit;

/// <summary>Conditions on, and attribution of, an edit, deletion or rewind.</summary>
public sealed record CorrectionOptions
{
    /// <summary>
    /// When set, the change is applied only if the session's <see cref="Session.Version"/> still equals this value; otherwise
    /// a <see cref="SessionConcurrencyException"/> is thrown and nothing changes.
    /// </summary>
    public long? ExpectedVersion { get; init; }

    /// <summary>Which agent, device or person made the change (recorded on the replaced revision); <see langword="null"/> for unknown.</summary>
    public string? AuthorId { get; init; }
}
