namespace SessionKit;

/// <summary>The base of every failure specific to SessionKit. Argument errors use the standard <see cref="ArgumentException"/> family.</summary>
public class SessionKitException : Exception
{
    /// <summary>Creates an exception with a default message.</summary>
    public SessionKitException()
        : base("A SessionKit operation failed.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SessionKitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SessionKitException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
