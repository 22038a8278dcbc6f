using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SessionKit.Storage;

namespace SessionKit;

/// <summary>The privacy and retention registrations of <see cref="SessionKitServiceCollectionExtensions.AddSessionKit"/>.</summary>
internal static class PrivacyServices
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton(static services => new SessionExpiryPolicy(
            services.GetRequiredService<IOptions<SessionKitOptions>>().Value.Retention,
            services.GetService<TimeProvider>()));
        services.TryAddSingleton<ISessionPrivacyStore>(static services => Backend<ISessionPrivacyStore>(services));
        services.TryAddSingleton<ISessionRetentionStore>(static services => Backend<ISessionRetentionStore>(services));
        services.TryAddSingleton<ISessionSweeper>(static services => new SessionSweeper(
            services.GetRequiredService<ISessionRetentionStore>(),
            services.GetRequiredService<SessionExpiryPolicy>())
        {
            Metrics = SessionKitMetrics.From(services),
        });
        services.TryAddSingleton<IUserDataExporter>(static services => new UserDataExporter(
            services.GetRequiredService<ISessionStore>(),
            services.GetRequiredService<ISessionPrivacyStore>(),
            services.GetRequiredService<ISessionTokenStore>(),
            services.GetService<TimeProvider>()));
    }

    /// <summary>The master keys a store encrypts with, or <see langword="null"/> when <see cref="SessionKitOptions.Encryption"/> is off.</summary>
    public static IMasterKeyProvider? MasterKeys(IServiceProvider services)
    {
        var encryption = services.GetRequiredService<IOptions<SessionKitOptions>>().Value.Encryption;
        return encryption.Enabled ? new OptionsMasterKeyProvider(encryption) : null;
    }

    private static T Backend<T>(IServiceProvider services)
        where T : class
    {
        var store = services.GetRequiredService<ISessionStore>();
        return store as T ?? throw new InvalidOperationException(
            $"The configured session store ({store.GetType().FullName}) does not implement {typeof(T).Name}. Derive it from SessionStore or register an {typeof(T).Name}.");
    }
}
