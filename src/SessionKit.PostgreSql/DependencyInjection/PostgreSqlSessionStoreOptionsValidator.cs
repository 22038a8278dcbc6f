using Microsoft.Extensions.Options;

namespace SessionKit.PostgreSql;

/// <summary>Validates <see cref="PostgreSqlSessionStoreOptions"/> at start-up, naming each bad setting.</summary>
internal sealed class PostgreSqlSessionStoreOptionsValidator : IValidateOptions<PostgreSqlSessionStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgreSqlSessionStoreOptions options)
    {
        var failures = options.Validate();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
