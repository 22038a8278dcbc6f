using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SessionKit.Hosting;

/// <summary>How <see cref="SessionKitHealthCheck"/> is registered and what it probes.</summary>
public sealed class SessionKitHealthCheckOptions
{
    /// <summary>The longest timeout accepted (five minutes); a health check that waits longer is a mistake.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The registration's name (default <c>sessionkit</c>).</summary>
    public string Name { get; set; } = "sessionkit";

    /// <summary>The status reported when the store fails or times out (default <see cref="HealthStatus.Unhealthy"/>).</summary>
    public HealthStatus FailureStatus { get; set; } = HealthStatus.Unhealthy;

    /// <summary>Tags of the registration, for filtering endpoints (for example <c>ready</c>).</summary>
    public IList<string> Tags { get; } = [];

    /// <summary>
    /// How long each probe may take (default five seconds), measured on the container's <see cref="TimeProvider"/>. A probe
    /// that has not answered by then counts as failed, whether or not it honours cancellation.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether the check also asks the configured <see cref="ISummarizer"/> to summarize a short synthetic exchange (default
    /// <see langword="false"/>). Only summarizers other than the offline <see cref="ExtractiveSummarizer"/> are probed; with a
    /// model behind the summarizer each check costs one small model call, so probe on a long interval. A failing summarizer
    /// makes the result <see cref="HealthStatus.Degraded"/>: context builds still work, falling back to verbatim messages.
    /// </summary>
    public bool ProbeSummarizer { get; set; }

    /// <summary>Checks every setting.</summary>
    /// <returns>One message per invalid setting, naming it; empty when all are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            failures.Add($"{nameof(SessionKitHealthCheckOptions)}.{nameof(Name)} must not be empty.");
        }

        if (Timeout <= TimeSpan.Zero || Timeout > MaxTimeout)
        {
            failures.Add($"{nameof(SessionKitHealthCheckOptions)}.{nameof(Timeout)} must be positive and at most {MaxTimeout} (was {Timeout}).");
        }

        if (!Enum.IsDefined(FailureStatus))
        {
            failures.Add($"{nameof(SessionKitHealthCheckOptions)}.{nameof(FailureStatus)} is not a defined HealthStatus ({(int)FailureStatus}).");
        }

        if (Tags.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add($"{nameof(SessionKitHealthCheckOptions)}.{nameof(Tags)} must not contain empty tags.");
        }

        return failures;
    }

    internal SessionKitHealthCheckOptions Copy()
    {
        var copy = new SessionKitHealthCheckOptions { Name = Name, FailureStatus = FailureStatus, Timeout = Timeout, ProbeSummarizer = ProbeSummarizer };
        foreach (var tag in Tags)
        {
            copy.Tags.Add(tag);
        }

        return copy;
    }
}
