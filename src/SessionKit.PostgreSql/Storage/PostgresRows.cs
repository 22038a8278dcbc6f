using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace SessionKit.PostgreSql;

/// <summary>Column lists, typed parameters and row mapping shared by the store's queries. Instants are stored as UTC ticks (bigint), so nothing is rounded.</summary>
internal static class PostgresRows
{
    public const string SessionColumns = "id, user_id, title, metadata, created_at, last_activity_at, version, last_sequence, message_count, continues_from, forked_from, forked_at";

    public const string MessageColumns = "id, session_id, sequence, role, content, author_id, tool_call_id, tool_name, created_at, metadata, token_count, token_encoding, revision";

    public const string QualifiedMessageColumns = "m.id, m.session_id, m.sequence, m.role, m.content, m.author_id, m.tool_call_id, m.tool_name, m.created_at, m.metadata, m.token_count, m.token_encoding, m.revision";

    public const int MessageColumnCount = 13;

    public const string SummaryColumns = "id, session_id, level, from_sequence, to_sequence, text, token_count, token_encoding, summarizer_id, created_at";

    public static long Ticks(DateTimeOffset value) => value.UtcTicks;

    public static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    /// <summary>
    /// Appends the optional message filters search and the vector scan share (one session, one role, a time window) to
    /// <paramref name="sql"/> as <c>AND</c> clauses over columns qualified by <paramref name="prefix"/> (e.g. <c>"c."</c>),
    /// and binds their parameters on <paramref name="command"/> (<see langword="null"/> when a statement repeats the filters
    /// whose parameters are already bound).
    /// </summary>
    public static void AppendMessageFilters(StringBuilder sql, NpgsqlCommand? command, string prefix, Guid? sessionId, MessageRole? role, DateTimeOffset? since, DateTimeOffset? until)
    {
        if (sessionId is { } session)
        {
            sql.Append(" AND ").Append(prefix).Append("session_id = @session_id");
            command?.Uuid("session_id", session);
        }

        if (role is { } value)
        {
            sql.Append(" AND ").Append(prefix).Append("role = @role");
            command?.Int("role", (int)value);
        }

        if (since is { } from)
        {
            sql.Append(" AND ").Append(prefix).Append("created_at >= @since");
            command?.Long("since", Ticks(from));
        }

        if (until is { } to)
        {
            sql.Append(" AND ").Append(prefix).Append("created_at < @until");
            command?.Long("until", Ticks(to));
        }
    }

    // ---- Parameters: typed, so every command can be prepared. ----

    public static NpgsqlCommand Text(this NpgsqlCommand command, string name, string? value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = value is null ? DBNull.Value : PgText.Encode(value) });
        return command;
    }

    public static NpgsqlCommand Uuid(this NpgsqlCommand command, string name, Guid? value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Uuid) { Value = value is { } v ? v : DBNull.Value });
        return command;
    }

    public static NpgsqlCommand Long(this NpgsqlCommand command, string name, long? value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Bigint) { Value = value is { } v ? v : DBNull.Value });
        return command;
    }

    public static NpgsqlCommand Int(this NpgsqlCommand command, string name, int? value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Integer) { Value = value is { } v ? v : DBNull.Value });
        return command;
    }

    public static NpgsqlCommand Bytes(this NpgsqlCommand command, string name, byte[]? value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Bytea) { Value = value is null ? DBNull.Value : value });
        return command;
    }

    public static NpgsqlCommand Double(this NpgsqlCommand command, string name, double value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Double) { Value = value });
        return command;
    }

    public static NpgsqlCommand TextArray(this NpgsqlCommand command, string name, string[] value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = value });
        return command;
    }

    public static NpgsqlCommand DoubleArray(this NpgsqlCommand command, string name, double[] value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = value });
        return command;
    }

    public static NpgsqlCommand UuidArray(this NpgsqlCommand command, string name, Guid[] value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = value });
        return command;
    }

    public static NpgsqlCommand LongArray(this NpgsqlCommand command, string name, long[] value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = value });
        return command;
    }

    // ---- Reading ----

    public static string ReadText(NpgsqlDataReader reader, int ordinal) => PgText.Decode(reader.GetString(ordinal));

    public static string? ReadNullableText(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : PgText.Decode(reader.GetString(ordinal));

    public static DateTimeOffset ReadTime(NpgsqlDataReader reader, int ordinal) => Time(reader.GetInt64(ordinal));

    /// <summary>Reads a session row; a row that cannot be read back as written throws <see cref="SessionDataCorruptedException"/>.</summary>
    public static Session ReadSession(NpgsqlDataReader reader)
    {
        var id = reader.GetGuid(0);
        try
        {
            return new()
            {
                Id = id,
                UserId = ReadText(reader, 1),
                Title = ReadNullableText(reader, 2),
                Metadata = MetadataJson.Deserialize(ReadNullableText(reader, 3)),
                CreatedAt = ReadTime(reader, 4),
                LastActivityAt = ReadTime(reader, 5),
                Version = reader.GetInt64(6),
                LastSequence = reader.GetInt64(7),
                MessageCount = reader.GetInt64(8),
                ContinuesFromSessionId = reader.IsDBNull(9) ? null : reader.GetGuid(9),
                ForkedFromSessionId = reader.IsDBNull(10) ? null : reader.GetGuid(10),
                ForkedAtSequence = reader.IsDBNull(11) ? null : reader.GetInt64(11),
            };
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            throw new SessionDataCorruptedException(id, null, Describe(ex), ex);
        }
    }

    /// <summary>Reads a message row; a row that cannot be read back as written throws <see cref="SessionDataCorruptedException"/>.</summary>
    public static SessionMessage ReadMessage(NpgsqlDataReader reader)
    {
        var sessionId = reader.GetGuid(1);
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
                Id = reader.GetGuid(0),
                SessionId = sessionId,
                Sequence = sequence,
                Role = (MessageRole)role,
                Content = ReadText(reader, 4),
                AuthorId = ReadNullableText(reader, 5),
                ToolCallId = ReadNullableText(reader, 6),
                ToolName = ReadNullableText(reader, 7),
                CreatedAt = ReadTime(reader, 8),
                Metadata = MetadataJson.Deserialize(ReadNullableText(reader, 9)),
                TokenCount = reader.GetInt32(10),
                TokenEncoding = ReadNullableText(reader, 11),
                Revision = reader.GetInt32(12),
            };
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            throw new SessionDataCorruptedException(sessionId, sequence, Describe(ex), ex);
        }
    }

    public static SessionSummary ReadSummary(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetGuid(0),
        SessionId = reader.GetGuid(1),
        Level = reader.GetInt32(2),
        FromSequence = reader.GetInt64(3),
        ToSequence = reader.GetInt64(4),
        Content = ReadText(reader, 5),
        TokenCount = reader.GetInt32(6),
        TokenEncoding = ReadText(reader, 7),
        SummarizerId = ReadText(reader, 8),
        CreatedAt = ReadTime(reader, 9),
    };

    public static NpgsqlCommand SummaryParameters(this NpgsqlCommand command, SessionSummary summary) =>
        command.Uuid("id", summary.Id)
            .Uuid("session_id", summary.SessionId)
            .Int("level", summary.Level)
            .Long("from_sequence", summary.FromSequence)
            .Long("to_sequence", summary.ToSequence)
            .Text("text", summary.Content)
            .Int("token_count", summary.TokenCount)
            .Text("token_encoding", summary.TokenEncoding)
            .Text("summarizer_id", summary.SummarizerId)
            .Long("created_at", Ticks(summary.CreatedAt));

    public static NpgsqlCommand MessageParameters(this NpgsqlCommand command, SessionMessage message) =>
        command.Uuid("id", message.Id)
            .Uuid("session_id", message.SessionId)
            .Long("sequence", message.Sequence)
            .Int("role", (int)message.Role)
            .Text("content", message.Content)
            .Text("author_id", message.AuthorId)
            .Text("tool_call_id", message.ToolCallId)
            .Text("tool_name", message.ToolName)
            .Long("created_at", Ticks(message.CreatedAt))
            .Text("metadata", MetadataJson.Serialize(message.Metadata))
            .Int("token_count", message.TokenCount)
            .Text("token_encoding", message.TokenEncoding)
            .Int("revision", message.Revision);

    // What a damaged or hand-edited row raises while being mapped: bad JSON, a value of the wrong type or size.
    private static bool IsUnreadable(Exception ex) =>
        ex is System.Text.Json.JsonException or FormatException or InvalidCastException or OverflowException or ArgumentException;

    private static string Describe(Exception ex) => ex switch
    {
        System.Text.Json.JsonException => "its metadata is not a JSON object of strings",
        _ => "a column holds a value of the wrong type",
    };
}
