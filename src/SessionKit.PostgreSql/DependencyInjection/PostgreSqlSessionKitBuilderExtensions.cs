using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using SessionKit.PostgreSql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the PostgreSQL backend for SessionKit.</summary>
public static class PostgreSqlSessionKitBuilderExtensions
{
    /// <summary>Stores sessions in the PostgreSQL database named by <paramref name="connectionString"/>, in the schema <c>sessionkit</c>.</summary>
    /// <param name="builder">The builder returned by <c>AddSessionKit</c>.</param>
    /// <param name="connectionString">An Npgsql connection string (<c>Host=db;Database=app;Username=app;Password=…</c>).</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder UsePostgreSql(this ISessionKitBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        return builder.UsePostgreSql(options => options.ConnectionString = connectionString);
    }

    /// <summary>Stores sessions through a data source the host already built (and owns).</summary>
    /// <param name="builder">The builder returned by <c>AddSessionKit</c>.</param>
    /// <param name="dataSource">The data source; the store does not dispose it.</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder UsePostgreSql(this ISessionKitBuilder builder, NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return builder.UsePostgreSql(options => options.DataSource = dataSource);
    }

    /// <summary>Stores sessions in a PostgreSQL database configured by <paramref name="configure"/>; the options are validated at start-up.</summary>
    /// <param name="builder">The builder returned by <c>AddSessionKit</c>.</param>
    /// <param name="configure">Sets the connection string or data source, schema, command timeout and migration switch.</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder UsePostgreSql(this ISessionKitBuilder builder, Action<PostgreSqlSessionStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        builder.Services.AddOptions<PostgreSqlSessionStoreOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlSessionStoreOptions>, PostgreSqlSessionStoreOptionsValidator>());

        // One server sweeps at a time: the sweeper registered by AddSessionKit is wrapped in the advisory lock.
        builder.Services.Replace(ServiceDescriptor.Singleton<global::SessionKit.ISessionSweeper>(static services =>
        {
            var sweeper = new global::SessionKit.SessionSweeper(
                services.GetRequiredService<global::SessionKit.Storage.ISessionRetentionStore>(),
                services.GetRequiredService<global::SessionKit.SessionExpiryPolicy>());
            return services.GetRequiredService<global::SessionKit.ISessionStore>() is PostgreSqlSessionStore store
                ? new PostgreSqlSessionSweeper(store, sweeper)
                : sweeper;
        }));
        return builder.UseStore(static context => new PostgreSqlSessionStore(
            context.Services.GetRequiredService<IOptions<PostgreSqlSessionStoreOptions>>().Value,
            context.Limits,
            context.TimeProvider,
            context.Services.GetService<ILoggerFactory>()?.CreateLogger<PostgreSqlSessionStore>(),
            context.TokenCounter,
            global::SessionKit.PrivacyServices.MasterKeys(context.Services)));
    }
}
