using Npgsql;

namespace SessionKit.PostgreSql.Tests;

/// <summary>Reads what a store's schema holds, value by value, as an outside reader with the database's rights would.</summary>
internal static class RawTables
{
    public static IReadOnlyList<byte[]> Dump(string schema)
    {
        using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        connection.Open();
        var tables = new List<string>();
        using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = @schema ORDER BY table_name;", connection))
        {
            list.Parameters.AddWithValue("schema", schema);
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var dumps = new List<byte[]>();
        foreach (string table in tables)
        {
            using var copy = new MemoryStream();
            using (var raw = connection.BeginRawBinaryCopy($"COPY \"{schema}\".\"{table}\" TO STDOUT (FORMAT binary)"))
            {
                raw.CopyTo(copy);
            }

            dumps.Add(copy.ToArray());
        }

        return dumps;
    }
}
