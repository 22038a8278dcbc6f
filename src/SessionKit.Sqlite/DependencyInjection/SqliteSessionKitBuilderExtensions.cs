using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SessionKit.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the embedded SQLite backend for SessionKit.</summary>
public static class SqliteSessionKitBuilderExtensions
{
    /// <summary>Stores sessions in the SQLite database named by <paramref name="connectionString"/>.</summary>
    /// <param name="builder">The builder returned by <c>AddSessionKit</c>.</param>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string (<c>Data Source=sessions.db</c>) or a file path.</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder UseSqlite(this ISessionKitBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        return builder.UseSqlite(options => options.ConnectionString = connectionString);
    }

    /// <summary>Stores sessions in an SQLite database configured by <paramref name="configure"/>; the options are validated at start-up.</summary>
    /// <param name="builder">The builder returned by <c>AddSessionKit</c>.</param>
    /// <param name="configure">Sets the connection string, durability and timeouts.</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder UseSqlite(this ISessionKitBuilder builder, Action<SqliteSessionStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        builder.Services.AddOptions<SqliteSessionStoreOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteSessionStoreOptions>, SqliteSessionStoreOptionsValidator>());
        return builder.UseStore(static context => new SqliteSessionStore(
            context.Services.GetRequiredService<IOptions<SqliteSessionStoreOptions>>().Value,
            context.Limits,
            context.TimeProvider,
            context.Services.GetService<ILoggerFactory>()?.CreateLogger<SqliteSessionStore>(),
            context.TokenCounter,
            global::SessionKit.PrivacyServices.MasterKeys(context.Services)));
    }
}
