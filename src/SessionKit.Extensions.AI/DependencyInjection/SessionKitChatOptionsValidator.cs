using Microsoft.Extensions.Options;

namespace SessionKit.Extensions.AI;

/// <summary>Validates <see cref="SessionKitChatClientOptions"/> and <see cref="ChatClientSummarizerOptions"/> bound from configuration, naming the bad field.</summary>
internal sealed class SessionKitChatOptionsValidator : IValidateOptions<SessionKitChatClientOptions>, IValidateOptions<ChatClientSummarizerOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionKitChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Layout is { } layout && !Enum.IsDefined(layout))
        {
            return ValidateOptionsResult.Fail($"SessionKitChatClientOptions.Layout has an undefined value ({(int)layout}).");
        }

        return options.TokenBudget is < 1
            ? ValidateOptionsResult.Fail($"SessionKitChatClientOptions.TokenBudget must be at least 1 (or unset for the default); it is {options.TokenBudget}.")
            : ValidateOptionsResult.Success;
    }

    public ValidateOptionsResult Validate(string? name, ChatClientSummarizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Temperature is < 0f or > 2f)
        {
            failures.Add($"ChatClientSummarizerOptions.Temperature must be between 0 and 2; it is {options.Temperature}.");
        }

        if (options.FailureBackoff < TimeSpan.Zero)
        {
            failures.Add($"ChatClientSummarizerOptions.FailureBackoff must not be negative; it is {options.FailureBackoff}.");
        }

        if (options.MaxFailureBackoff < options.FailureBackoff)
        {
            failures.Add($"ChatClientSummarizerOptions.MaxFailureBackoff ({options.MaxFailureBackoff}) must not be below FailureBackoff ({options.FailureBackoff}).");
        }

        if (options.Instructions is { } instructions && string.IsNullOrWhiteSpace(instructions))
        {
            failures.Add("ChatClientSummarizerOptions.Instructions must not be blank (leave it unset for the built-in instructions).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
