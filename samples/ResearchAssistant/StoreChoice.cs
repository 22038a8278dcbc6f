using Microsoft.Extensions.DependencyInjection;

namespace ResearchAssistant;

/// <summary>The one line that differs between the embedded default and a server: UseSqlite or UsePostgreSql.</summary>
internal static class StoreChoice
{
    public static ISessionKitBuilder UseSqliteOrPostgreSql(this ISessionKitBuilder builder, string sqliteConnectionString, string? postgresConnectionString) =>
        postgresConnectionString is null ? builder.UseSqlite(sqliteConnectionString) : builder.UsePostgreSql(postgresConnectionString);
}
