using Microsoft.Extensions.Options;

namespace SessionKit;

/// <summary>Validates <see cref="SessionKitOptions"/> at start-up, naming each bad setting.</summary>
internal sealed class SessionKitOptionsValidator : IValidateOptions<SessionKitOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionKitOptions options)
    {
        var failures = new List<string>();
        failures.AddRange(options.Limits.Validate($"{nameof(SessionKitOptions)}.{nameof(SessionKitOptions.Limits)}"));
        failures.AddRange(options.Context.Validate($"{nameof(SessionKitOptions)}.{nameof(SessionKitOptions.Context)}"));
        failures.AddRange(options.SessionTokens.Validate($"{nameof(SessionKitOptions)}.{nameof(SessionKitOptions.SessionTokens)}"));
        failures.AddRange(options.Resolver.Validate($"{nameof(SessionKitOptions)}.{nameof(SessionKitOptions.Resolver)}"));
        failures.AddRange(options.Retention.Validate($"{nameof(SessionKitOptions)}.{nameof(SessionKitOptions.Retention)}"));
        failures.AddRange(options.Encryption.Validate($"{nameof(SessionKitOptions)}.{nameof(SessionKitOptions.Encryption)}"));
        try
        {
            _ = options.CreateTokenCounter();
        }
        catch (ArgumentException ex)
        {
            string setting = options.Model is null ? nameof(SessionKitOptions.TokenEncoding) : nameof(SessionKitOptions.Model);
            failures.Add($"{nameof(SessionKitOptions)}.{setting}: {ex.Message}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
