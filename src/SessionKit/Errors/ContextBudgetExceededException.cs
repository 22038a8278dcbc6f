namespace SessionKit;

/// <summary>Thrown when what must be in a context window (the system prompt and the newest user turn) does not fit the budget.</summary>
public sealed class ContextBudgetExceededException : SessionKitException
{
    /// <summary>Creates an exception with the sizes involved.</summary>
    /// <param name="requiredTokens">What the mandatory part costs.</param>
    /// <param name="tokenBudget">The budget.</param>
    /// <param name="what">What did not fit, for the message.</param>
    public ContextBudgetExceededException(int requiredTokens, int tokenBudget, string what)
        : base($"{what} needs {requiredTokens} tokens, more than the budget of {tokenBudget}. Raise ContextRequest.TokenBudget or shorten it.")
    {
        RequiredTokens = requiredTokens;
        TokenBudget = tokenBudget;
    }

    /// <summary>Creates an exception with a default message.</summary>
    public ContextBudgetExceededException()
        : base("The context does not fit the token budget.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public ContextBudgetExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ContextBudgetExceededException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>What the mandatory part of the window costs.</summary>
    public int RequiredTokens { get; }

    /// <summary>The budget it had to fit.</summary>
    public int TokenBudget { get; }
}
