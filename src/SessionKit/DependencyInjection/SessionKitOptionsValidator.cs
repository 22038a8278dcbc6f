using Microsoft.Extensions.Options;

namespace SessionKit;

/// <summary>Validates <see cref="SessionKitOptions"/> at start-up, naming each bad setting.</summary>
internal sealed class SessionKitOptionsValidator : IValidateOptions<SessionKitOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionKitOptions options)
    {
        var failures = options.Limits.Validate($"{nameof(SessionKitOptions)}.{nameof(SessionKitOptions.Limits)}");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
