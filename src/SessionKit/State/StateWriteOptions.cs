namespace SessionKit;

/// <summary>Conditions on, and attribution of, a state write or deletion.</summary>
public sealed record StateWriteOptions
{
    /// <summary>
    /// Compare-and-set: <see langword="null"/> writes unconditionally; 0 requires that the entry does not exist; any other value
    /// requires that the entry exists at that <see cref="StateEntry.Version"/>. A mismatch throws <see cref="StateConcurrencyException"/>.
    /// </summary>
    public long? ExpectedVersion { get; init; }

    /// <summary>Which agent or person writes, recorded as <see cref="StateEntry.UpdatedBy"/> and in the change feed.</summary>
    public string? UpdatedBy { get; init; }
}
