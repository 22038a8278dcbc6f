using Microsoft.Extensions.Options;

namespace SessionKit.Hosting;

/// <summary>Validates <see cref="SessionSweeperServiceOptions"/> at start, naming each bad setting.</summary>
internal sealed class SessionSweeperServiceOptionsValidator : IValidateOptions<SessionSweeperServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionSweeperServiceOptions options)
    {
        var failures = options.Validate();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
