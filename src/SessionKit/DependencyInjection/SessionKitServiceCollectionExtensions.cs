using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SessionKit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers SessionKit in a service collection.</summary>
public static class SessionKitServiceCollectionExtensions
{
    /// <summary>
    /// Adds SessionKit's options (validated at start-up) and returns a builder on which to choose a backend,
    /// for example <c>UseInMemory()</c> or <c>UseSqlite("Data Source=sessions.db")</c> from the SessionKit.Sqlite package.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Optional configuration of <see cref="SessionKitOptions"/>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Registrations use <c>TryAdd</c>, so a service the host registered first wins. Resolving <see cref="ISessionStore"/>
    /// before a backend was chosen throws an <see cref="InvalidOperationException"/> that says how to choose one.
    /// </remarks>
    public static ISessionKitBuilder AddSessionKit(this IServiceCollection services, Action<SessionKitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<SessionKitOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SessionKitOptions>, SessionKitOptionsValidator>());
        services.TryAddSingleton<ISessionStore>(static _ => throw new InvalidOperationException(
            "No SessionKit storage backend is configured. Call UseSqlite(...) (package SessionKit.Sqlite) or UseInMemory() on the builder returned by AddSessionKit()."));

        return new SessionKitBuilder(services);
    }

    /// <summary>Stores sessions in process memory (<see cref="InMemorySessionStore"/>): nothing survives a restart.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder UseInMemory(this ISessionKitBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseStore(static (services, limits, timeProvider) => new InMemorySessionStore(limits, timeProvider));
        return builder;
    }

    /// <summary>
    /// Makes <paramref name="factory"/> the <see cref="ISessionStore"/> (a singleton), replacing a backend chosen earlier.
    /// Backend packages call this from their own <c>Use…</c> methods.
    /// </summary>
    /// <typeparam name="TStore">The store type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the store from the services, the validated limits and the clock.</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder UseStore<TStore>(this ISessionKitBuilder builder, Func<IServiceProvider, SessionLimits, TimeProvider, TStore> factory)
        where TStore : class, ISessionStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);

        builder.Services.Replace(ServiceDescriptor.Singleton<ISessionStore>(services => factory(
            services,
            services.GetRequiredService<IOptions<SessionKitOptions>>().Value.Limits,
            services.GetService<TimeProvider>() ?? TimeProvider.System)));
        return builder;
    }
}
