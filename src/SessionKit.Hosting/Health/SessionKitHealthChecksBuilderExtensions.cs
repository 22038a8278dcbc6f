using Microsoft.Extensions.Diagnostics.HealthChecks;
using SessionKit;
using SessionKit.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SessionKit health check.</summary>
public static class SessionKitHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="SessionKitHealthCheck"/>: the configured <see cref="ISessionStore"/> must answer a cheap read within
    /// <see cref="SessionKitHealthCheckOptions.Timeout"/> (else <see cref="SessionKitHealthCheckOptions.FailureStatus"/>, by
    /// default Unhealthy); with <see cref="SessionKitHealthCheckOptions.ProbeSummarizer"/> a failing summarizer reports Degraded.
    /// Register SessionKit with <c>services.AddSessionKit()</c>; the timeout runs on the container's <see cref="TimeProvider"/>.
    /// </summary>
    /// <param name="builder">The builder from <c>services.AddHealthChecks()</c>.</param>
    /// <param name="configure">Name, tags, timeout and what to probe; <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it. Nothing is registered.</exception>
    public static IHealthChecksBuilder AddSessionKitHealthCheck(this IHealthChecksBuilder builder, Action<SessionKitHealthCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new SessionKitHealthCheckOptions();
        configure?.Invoke(options);
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(configure));
        }

        var copy = options.Copy();
        return builder.Add(new HealthCheckRegistration(
            copy.Name,
            services => new SessionKitHealthCheck(
                services.GetRequiredService<ISessionStore>(),
                copy.ProbeSummarizer ? services.GetService<ISummarizer>() : null,
                copy,
                services.GetService<TimeProvider>()),
            copy.FailureStatus,
            copy.Tags));
    }
}
