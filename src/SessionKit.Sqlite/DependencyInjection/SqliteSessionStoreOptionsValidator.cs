using Microsoft.Extensions.Options;

namespace SessionKit.Sqlite;

/// <summary>Validates <see cref="SqliteSessionStoreOptions"/> at start-up, naming each bad setting.</summary>
internal sealed class SqliteSessionStoreOptionsValidator : IValidateOptions<SqliteSessionStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteSessionStoreOptions options)
    {
        var failures = options.Validate();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
