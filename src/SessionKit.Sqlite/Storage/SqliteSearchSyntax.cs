using System.Text;

namespace SessionKit.Sqlite;

/// <summary>
/// Builds FTS5 MATCH expressions from normalized terms. Every term becomes a quoted string (with quotes doubled), so no
/// user text is ever parsed as FTS5 syntax (AND, OR, NOT, NEAR, *, ^, column filters, parentheses); the user filter is a
/// column filter on the single-token user key, ANDed with the content terms.
/// </summary>
internal static class SqliteSearchSyntax
{
    public static string Match(string userKey, IReadOnlyList<string> terms)
    {
        var match = new StringBuilder("user_key : \"").Append(userKey).Append("\" AND content : (");
        for (int i = 0; i < terms.Count; i++)
        {
            if (i > 0)
            {
                match.Append(" OR ");
            }

            match.Append(Quote(terms[i]));
        }

        return match.Append(')').ToString();
    }

    /// <summary>A term as an FTS5 string (quotes doubled), never parsed as syntax.</summary>
    public static string Quote(string term) => "\"" + term.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
