using System.Collections.Concurrent;

namespace SessionKit.PostgreSql;

/// <summary>
/// SQL texts of one store, with every <c>§</c> replaced by its quoted schema name and a dot. Each distinct text is rewritten
/// once and then reused, so the same string reaches Npgsql every time and its prepared statement is found again.
/// </summary>
internal sealed class SqlText
{
    private readonly ConcurrentDictionary<string, string> _texts = new(StringComparer.Ordinal);
    private readonly string _prefix;

    public SqlText(string schema)
    {
        Schema = schema;
        SchemaIdentifier = "\"" + schema.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        _prefix = SchemaIdentifier + ".";
    }

    /// <summary>The schema name as configured.</summary>
    public string Schema { get; }

    /// <summary>The schema name quoted as an SQL identifier.</summary>
    public string SchemaIdentifier { get; }

    /// <summary>The text with its tables qualified by the schema.</summary>
    public string this[string text] => _texts.GetOrAdd(text, static (t, prefix) => t.Replace("§", prefix, StringComparison.Ordinal), _prefix);
}
