namespace SessionKit;

/// <summary>One kind of store operation as OpenTelemetry's database conventions name it: <c>db.operation.name</c> and <c>db.collection.name</c>; the span is named "{operation} {collection}".</summary>
internal sealed class StoreOperation
{
    public static readonly StoreOperation CreateSession = new("create", "sessions");
    public static readonly StoreOperation GetSession = new("get", "sessions");
    public static readonly StoreOperation ListSessions = new("list", "sessions");
    public static readonly StoreOperation UpdateSession = new("update", "sessions");
    public static readonly StoreOperation DeleteSession = new("delete", "sessions");
    public static readonly StoreOperation Append = new("append", "messages", countsAppends: true);
    public static readonly StoreOperation ReadLast = new("read_last", "messages");
    public static readonly StoreOperation ReadRange = new("read_range", "messages");
    public static readonly StoreOperation Count = new("count", "messages");
    public static readonly StoreOperation Search = new("search", "messages");
    public static readonly StoreOperation SaveSummary = new("save", "summaries");
    public static readonly StoreOperation GetSummaries = new("get", "summaries");
    public static readonly StoreOperation InvalidateSummaries = new("invalidate", "summaries");
    public static readonly StoreOperation ReadContext = new("read_context", "sessions");

    private StoreOperation(string name, string collection, bool countsAppends = false)
    {
        Name = name;
        Collection = collection;
        SpanName = $"{name} {collection}";
        CountsAppends = countsAppends;
    }

    public string Name { get; }

    public string Collection { get; }

    public string SpanName { get; }

    public bool CountsAppends { get; }
}
