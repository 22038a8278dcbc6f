namespace SessionKit;

/// <summary>Thrown when a compare-and-set on a state entry finds it at another version than expected. Nothing was changed.</summary>
public sealed class StateConcurrencyException : SessionKitException
{
    /// <summary>Creates an exception for a version mismatch.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="scopeId">The scope id.</param>
    /// <param name="key">The key.</param>
    /// <param name="expectedVersion">The version the caller expected (0: absent).</param>
    /// <param name="actualVersion">The version the entry has (0: absent).</param>
    public StateConcurrencyException(StateScope scope, string? scopeId, string key, long expectedVersion, long actualVersion)
        : base($"State entry '{key}' in {scope} scope{(scopeId is null ? string.Empty : $" '{scopeId}'")} is at version {actualVersion} (0 = absent), not the expected {expectedVersion}; it was changed concurrently. Reload it and retry.")
    {
        Scope = scope;
        ScopeId = scopeId;
        Key = key;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>Creates an exception with a default message.</summary>
    public StateConcurrencyException()
        : base("The state entry was changed concurrently.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StateConcurrencyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StateConcurrencyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The scope.</summary>
    public StateScope Scope { get; }

    /// <summary>The scope id.</summary>
    public string? ScopeId { get; }

    /// <summary>The key.</summary>
    public string Key { get; } = string.Empty;

    /// <summary>The version the caller expected (0: absent).</summary>
    public long ExpectedVersion { get; }

    /// <summary>The version the entry has now (0: absent); retry against it.</summary>
    public long ActualVersion { get; }
}
