using System.Diagnostics;

namespace SessionKit;

/// <summary>
/// The one <see cref="ActivitySource"/> named <c>SessionKit</c> (OpenTelemetry picks it up with <c>AddSource("SessionKit")</c>,
/// no extra package), the attribute names SessionKit uses, and how a failure is recorded on a span. Tags carry ids, counts and
/// names only: never message content, user text, user ids, tokens, keys or fingerprints.
/// </summary>
internal static class SessionKitDiagnostics
{
    public const string Name = "SessionKit";

    public const string DbSystemName = "db.system.name";
    public const string DbOperationName = "db.operation.name";
    public const string DbCollectionName = "db.collection.name";
    public const string DbReturnedRows = "db.response.returned_rows";
    public const string ErrorType = "error.type";
    public const string Operation = "sessionkit.operation";
    public const string SessionId = "sessionkit.session.id";
    public const string MessageCount = "sessionkit.messages.count";
    public const string SummarizerId = "sessionkit.summarizer.id";
    public const string ContextBudget = "sessionkit.context.budget";
    public const string ContextTokens = "sessionkit.context.tokens";
    public const string ContextRecalled = "sessionkit.context.recalled";
    public const string ContextSummariesCreated = "sessionkit.context.summaries_created";

    public static readonly ActivitySource ActivitySource = new(Name, typeof(SessionKitDiagnostics).Assembly.GetName().Version?.ToString(3));

    /// <summary>
    /// Marks <paramref name="activity"/> failed: status Error described by the exception's type, <c>error.type</c>, and an
    /// <c>exception</c> event with the type and stack trace. The exception's message is left out on purpose: messages can
    /// echo what a caller passed in.
    /// </summary>
    public static void RecordFailure(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        var type = exception.GetType().FullName ?? exception.GetType().Name;
        activity.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        activity.SetTag(ErrorType, type);
        activity.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection
        {
            ["exception.type"] = type,
            ["exception.stacktrace"] = exception.StackTrace,
        }));
    }
}
