namespace SessionKit;

/// <summary>Conditions on an append.</summary>
public sealed record AppendOptions
{
    /// <summary>
    /// When set, the messages are appended only if the session's <see cref="Session.Version"/> still equals this value;
    /// otherwise a <see cref="SessionConcurrencyException"/> is thrown and nothing is stored.
    /// </summary>
    public long? ExpectedVersion { get; init; }
}
