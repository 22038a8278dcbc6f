using Microsoft.Data.Sqlite;

namespace SessionKit.Sqlite;

/// <summary>Column lists and row mapping shared by the store's queries. Ids are stored as big-endian GUID bytes so BLOB order is id order.</summary>
internal static class SqliteRows
{
    public const string SessionColumns = "id, user_id, title, metadata, created_at, last_activity_at, version, last_sequence, message_count, continues_from, forked_from, forked_at";

    public const string MessageColumns = "id, session_id, sequence, role, content, author_id, tool_call_id, tool_name, created_at, metadata, token_count, token_encoding, revision";

    public const string QualifiedMessageColumns = "m.id, m.session_id, m.sequence, m.role, m.content, m.author_id, m.tool_call_id, m.tool_name, m.created_at, m.metadata, m.token_count, m.token_encoding, m.revision";

    public const int MessageColumnCount = 13;

    public const string SummaryColumns = "id, session_id, level, from_sequence, to_sequence, text, token_count, token_encoding, summarizer_id, created_at";

    public static byte[] Id(Guid id) => id.ToByteArray(bigEndian: true);

    public static long Ticks(DateTimeOffset value) => value.UtcTicks;

    /// <summary>Reads a session row; a row that cannot be read back as written throws <see cref="SessionDataCorruptedException"/>.</summary>
    public static Session ReadSession(SqliteDataReader reader)
    {
        var id = ReadGuid(reader, 0);
        try
        {
            return new()
            {
                Id = id,
                UserId = reader.GetString(1),
                Title = reader.IsDBNull(2) ? null : reader.GetString(2),
                Metadata = ReadMetadata(reader, 3),
                CreatedAt = ReadTime(reader, 4),
                LastActivityAt = ReadTime(reader, 5),
                Version = reader.GetInt64(6),
                LastSequence = reader.GetInt64(7),
                MessageCount = reader.GetInt64(8),
                ContinuesFromSessionId = reader.IsDBNull(9) ? null : ReadGuid(reader, 9),
                ForkedFromSessionId = reader.IsDBNull(10) ? null : ReadGuid(reader, 10),
                ForkedAtSequence = reader.IsDBNull(11) ? null : reader.GetInt64(11),
            };
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            throw new SessionDataCorruptedException(id, null, Describe(ex), ex);
        }
    }

    /// <summary>Reads a message row; a row that cannot be read back as written throws <see cref="SessionDataCorruptedException"/>.</summary>
    public static SessionMessage ReadMessage(SqliteDataReader reader)
    {
        var sessionId = ReadGuid(reader, 1);
        long sequence = reader.GetInt64(2);
        try
        {
            int role = reader.GetInt32(3);
            if (!Enum.IsDefined((MessageRole)role))
            {
                throw new SessionDataCorruptedException(sessionId, sequence, $"its role ({role}) is not a MessageRole");
            }

            return new()
            {
                Id = ReadGuid(reader, 0),
                SessionId = sessionId,
                Sequence = sequence,
                Role = (MessageRole)role,
                Content = reader.GetString(4),
                AuthorId = reader.IsDBNull(5) ? null : reader.GetString(5),
                ToolCallId = reader.IsDBNull(6) ? null : reader.GetString(6),
                ToolName = reader.IsDBNull(7) ? null : reader.GetString(7),
                CreatedAt = ReadTime(reader, 8),
                Metadata = ReadMetadata(reader, 9),
                TokenCount = reader.GetInt32(10),
                TokenEncoding = reader.IsDBNull(11) ? null : reader.GetString(11),
                Revision = reader.GetInt32(12),
            };
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            throw new SessionDataCorruptedException(sessionId, sequence, Describe(ex), ex);
        }
    }

    private static IReadOnlyDictionary<string, string> ReadMetadata(SqliteDataReader reader, int ordinal) =>
        MetadataJson.Deserialize(reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal));

    // What a damaged or hand-edited row raises while being mapped: bad JSON, a value of the wrong type or size.
    private static bool IsUnreadable(Exception ex) =>
        ex is System.Text.Json.JsonException or FormatException or InvalidCastException or OverflowException or ArgumentException;

    private static string Describe(Exception ex) => ex switch
    {
        System.Text.Json.JsonException => "its metadata is not a JSON object of strings",
        _ => "a column holds a value of the wrong type",
    };

    public static SessionSummary ReadSummary(SqliteDataReader reader) => new()
    {
        Id = ReadGuid(reader, 0),
        SessionId = ReadGuid(reader, 1),
        Level = reader.GetInt32(2),
        FromSequence = reader.GetInt64(3),
        ToSequence = reader.GetInt64(4),
        Content = reader.GetString(5),
        TokenCount = reader.GetInt32(6),
        TokenEncoding = reader.GetString(7),
        SummarizerId = reader.GetString(8),
        CreatedAt = ReadTime(reader, 9),
    };

    public static void AddSummaryParameters(SqliteCommand command, SessionSummary summary)
    {
        var parameters = command.Parameters;
        parameters.AddWithValue("$id", Id(summary.Id));
        parameters.AddWithValue("$session_id", Id(summary.SessionId));
        parameters.AddWithValue("$level", summary.Level);
        parameters.AddWithValue("$from_sequence", summary.FromSequence);
        parameters.AddWithValue("$to_sequence", summary.ToSequence);
        parameters.AddWithValue("$text", summary.Content);
        parameters.AddWithValue("$token_count", summary.TokenCount);
        parameters.AddWithValue("$token_encoding", summary.TokenEncoding);
        parameters.AddWithValue("$summarizer_id", summary.SummarizerId);
        parameters.AddWithValue("$created_at", Ticks(summary.CreatedAt));
    }

    public static List<SessionMessage> ReadMessages(SqliteCommand command)
    {
        var messages = new List<SessionMessage>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            messages.Add(ReadMessage(reader));
        }

        return messages;
    }

    /// <summary>The parameters of a message insert, in <see cref="MessageColumns"/> order, then <c>$user_key</c>.</summary>
    public static readonly string[] MessageParameterNames =
        ["$id", "$session_id", "$sequence", "$role", "$content", "$author_id", "$tool_call_id", "$tool_name", "$created_at", "$metadata", "$token_count", "$token_encoding", "$revision", "$user_key"];

    /// <summary>Sets the values of a prepared insert's <see cref="MessageParameterNames"/> (all but the last) from <paramref name="message"/>.</summary>
    public static void SetMessageParameters(SqliteParameterCollection parameters, SessionMessage message)
    {
        parameters[0].Value = Id(message.Id);
        parameters[1].Value = Id(message.SessionId);
        parameters[2].Value = message.Sequence;
        parameters[3].Value = (int)message.Role;
        parameters[4].Value = message.Content;
        parameters[5].Value = (object?)message.AuthorId ?? DBNull.Value;
        parameters[6].Value = (object?)message.ToolCallId ?? DBNull.Value;
        parameters[7].Value = (object?)message.ToolName ?? DBNull.Value;
        parameters[8].Value = Ticks(message.CreatedAt);
        parameters[9].Value = MetadataJson.Serialize(message.Metadata);
        parameters[10].Value = message.TokenCount;
        parameters[11].Value = (object?)message.TokenEncoding ?? DBNull.Value;
        parameters[12].Value = message.Revision;
    }

    /// <summary>Drops the values <see cref="SetMessageParameters"/> set (the text and metadata above all).</summary>
    public static void ClearMessageParameters(SqliteParameterCollection parameters)
    {
        for (int i = 0; i < parameters.Count; i++)
        {
            parameters[i].Value = DBNull.Value;
        }
    }

    public static Guid ReadGuid(SqliteDataReader reader, int ordinal) => new(reader.GetFieldValue<byte[]>(ordinal), bigEndian: true);

    public static DateTimeOffset ReadTime(SqliteDataReader reader, int ordinal) => new(reader.GetInt64(ordinal), TimeSpan.Zero);
}
