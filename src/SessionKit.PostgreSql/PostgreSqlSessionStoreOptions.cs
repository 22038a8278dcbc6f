using Npgsql;

namespace SessionKit.PostgreSql;

/// <summary>Settings of a <see cref="PostgreSqlSessionStore"/>.</summary>
public sealed class PostgreSqlSessionStoreOptions
{
    /// <summary>The longest schema name PostgreSQL accepts (NAMEDATALEN − 1 bytes).</summary>
    public const int MaxSchemaNameLength = 63;

    /// <summary>
    /// An Npgsql connection string (<c>Host=db;Database=app;Username=app;Password=…</c>). The store builds one pooled
    /// <see cref="NpgsqlDataSource"/> from it and disposes it with the store. Ignored when <see cref="DataSource"/> is set.
    /// The string is never logged.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// A data source the host already built (and owns: the store does not dispose it), for hosts that configure Npgsql
    /// themselves (logging, certificates, Aspire). Takes precedence over <see cref="ConnectionString"/>.
    /// </summary>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>The schema holding SessionKit's tables; created on first start when missing. Default <c>sessionkit</c>.</summary>
    public string Schema { get; set; } = "sessionkit";

    /// <summary>How long one command may run before PostgreSQL cancels it (Npgsql's <c>CommandTimeout</c>). Default 30 seconds.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether the store creates and migrates its schema on first use (under an advisory lock, so concurrent start-ups
    /// migrate once). Default <see langword="true"/>. When <see langword="false"/>, a missing or older schema is an error
    /// naming this setting, for deployments that migrate in a separate step.
    /// </summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>
    /// Whether change-feed watchers are woken by PostgreSQL <c>LISTEN/NOTIFY</c> (one listening connection per store,
    /// opened by the first watcher). Default <see langword="true"/>. Polling at <see cref="ChangePollInterval"/> remains the fallback.
    /// </summary>
    public bool UseNotifications { get; set; } = true;

    /// <summary>
    /// How often change-feed watchers and waiting turns re-read the database when no notification arrives (a missed
    /// notification, a reconnecting listener, or notifications off). Default 1 second; timed on the store's <see cref="TimeProvider"/>.
    /// </summary>
    public TimeSpan ChangePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Returns a description of each invalid setting, naming it; empty when all are valid.</summary>
    /// <param name="prefix">The name of this object in messages.</param>
    /// <returns>The failures.</returns>
    public IReadOnlyList<string> Validate(string prefix = nameof(PostgreSqlSessionStoreOptions))
    {
        var failures = new List<string>();
        if (DataSource is null)
        {
            if (string.IsNullOrWhiteSpace(ConnectionString))
            {
                failures.Add($"{prefix}.{nameof(ConnectionString)} must be set (e.g. \"Host=localhost;Database=app;Username=app;Password=…\"), or {prefix}.{nameof(DataSource)} given.");
            }
            else
            {
                try
                {
                    var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
                    if (string.IsNullOrWhiteSpace(builder.Host))
                    {
                        failures.Add($"{prefix}.{nameof(ConnectionString)} names no Host.");
                    }
                }
                catch (ArgumentException ex)
                {
                    // The parser's message can quote the string (and so a password): name the setting, not the value.
                    failures.Add($"{prefix}.{nameof(ConnectionString)} is not a valid Npgsql connection string ({ex.GetType().Name}).");
                }
            }
        }

        if (string.IsNullOrWhiteSpace(Schema))
        {
            failures.Add($"{prefix}.{nameof(Schema)} must name a schema, e.g. \"sessionkit\".");
        }
        else if (System.Text.Encoding.UTF8.GetByteCount(Schema) > MaxSchemaNameLength || Schema.Contains('\0', StringComparison.Ordinal) || Schema.StartsWith("pg_", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{prefix}.{nameof(Schema)} must be at most {MaxSchemaNameLength} bytes, without NUL, and not start with \"pg_\" (was \"{Schema}\").");
        }

        if (CommandTimeout < TimeSpan.Zero || CommandTimeout > TimeSpan.FromSeconds(int.MaxValue))
        {
            failures.Add($"{prefix}.{nameof(CommandTimeout)} must be between zero (no limit) and {int.MaxValue} seconds (was {CommandTimeout}).");
        }

        if (ChangePollInterval <= TimeSpan.Zero || ChangePollInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"{prefix}.{nameof(ChangePollInterval)} must be more than zero and at most one hour (was {ChangePollInterval}).");
        }

        return failures;
    }

    internal PostgreSqlSessionStoreOptions Clone() => (PostgreSqlSessionStoreOptions)MemberwiseClone();
}
