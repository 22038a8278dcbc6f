namespace SessionKit;

/// <summary>Assembles what the model should see for a session, within a token budget.</summary>
public interface IContextBuilder
{
    /// <summary>
    /// Builds the window: recent messages verbatim (always including the newest user message), older ranges as summaries
    /// (creating and storing missing ones incrementally), within <see cref="ContextRequest.TokenBudget"/>. The cost grows with
    /// the budget, not with the session's history.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="request">The budget, system prompt and query.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The window.</returns>
    /// <exception cref="SessionNotFoundException">The session does not exist.</exception>
    /// <exception cref="ContextBudgetExceededException">The system prompt and the newest user turn alone exceed the budget.</exception>
    Task<ContextWindow> BuildAsync(Guid sessionId, ContextRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates, ahead of time, the summaries that a build at <paramref name="tokenBudget"/> would need, so the next build
    /// finds them ready (for example right after a reply is sent). Each block is summarized once.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="tokenBudget">The budget builds will use.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many summaries were created.</returns>
    Task<int> SummarizeAsync(Guid sessionId, int tokenBudget, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates, ahead of time, the summaries a build at <see cref="ContextOptions.DefaultTokenBudget"/> would need.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many summaries were created.</returns>
    Task<int> SummarizeAsync(Guid sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Drains a session's summarization backlog (after an import, or a build that stopped at
    /// <see cref="ContextOptions.MaxSummarizationsPerBuild"/>): summarizes, in rounds of at most that many summarizer calls,
    /// until a round makes none, so that a build at <paramref name="tokenBudget"/> leaves no range omitted. Meant for imports,
    /// command-line tools and the hosted background summarizer, off the request path.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="tokenBudget">The budget builds will use.</param>
    /// <param name="cancellationToken">Cancels the operation (summaries already stored stay).</param>
    /// <returns>How many summaries were created.</returns>
    /// <exception cref="SessionNotFoundException">The session does not exist.</exception>
    Task<int> CatchUpAsync(Guid sessionId, int tokenBudget, CancellationToken cancellationToken = default);
}
