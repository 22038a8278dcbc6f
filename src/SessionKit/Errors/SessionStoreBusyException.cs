namespace SessionKit;

/// <summary>
/// Thrown when the store could not get a lock it needs within its configured wait (for SQLite, another connection or
/// process held the database's write lock longer than <c>SqliteSessionStoreOptions.BusyTimeout</c>). The operation did
/// nothing; it may be retried.
/// </summary>
public sealed class SessionStoreBusyException : SessionKitException
{
    /// <summary>Creates an exception with a default message.</summary>
    public SessionStoreBusyException()
        : base("The session store is locked by another connection or process; nothing was done. Retry later.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What is locked and what to do.</param>
    public SessionStoreBusyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What is locked and what to do.</param>
    /// <param name="innerException">The driver's error.</param>
    public SessionStoreBusyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
