using SessionKit;

namespace MultiDevice;

/// <summary>The phone-to-laptop story, step by step, printing what the host sees and checking what SessionKit decided.</summary>
internal sealed class MultiDeviceStory(ISessionResolver resolver, ISessionAccessor accessor, ISessionTokenService tokens, StoryClock clock, TextWriter output)
{
    private const string UserId = "sam";

    private static readonly Dictionary<string, string> Phone = new() { ["platform"] = "android", ["model"] = "Pixel 9", ["app"] = "chat 4.2" };

    private static readonly Dictionary<string, string> Laptop = new() { ["platform"] = "macos", ["browser"] = "Firefox 140", ["screen"] = "2560x1600" };

    private bool _ok = true;

    public async Task<bool> RunAsync(CancellationToken cancellationToken = default)
    {
        var scope = accessor.ForCaller(SessionCaller.User(UserId));

        // 1. The phone: Sam signs in; the resolver starts a session and issues a token bound to the phone.
        Step("1. Sam signs in on the phone");
        var onPhone = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = UserId, Fingerprint = Phone, Title = "Trip to Lisbon" }, cancellationToken);
        Report(onPhone);
        Check(onPhone.Reason == SessionResolutionReason.NewUser, "a first visit starts a new session");
        string phoneToken = onPhone.IssuedToken!.Token;
        string phoneDevice = onPhone.DeviceId!;
        await scope.AppendMessagesAsync(onPhone.Session.Id, [
            NewMessage.User("I'm flying to Lisbon on 14 May. Which neighbourhood should I stay in?"),
            NewMessage.Assistant("For a first visit, Baixa or Chiado: central, walkable, near trams 28 and 15."),
        ], cancellationToken: cancellationToken);
        output.WriteLine("   phone: 2 messages about the Lisbon trip");

        // 2. The laptop, ten minutes later: a new fingerprint, the same user, so the same session continues.
        clock.Advance(TimeSpan.FromMinutes(10));
        Step("2. Ten minutes later, Sam signs in on the laptop");
        var onLaptop = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = UserId, Fingerprint = Laptop }, cancellationToken);
        Report(onLaptop);
        Check(onLaptop.Reason == SessionResolutionReason.ContinuedOnNewDevice, "a new device continues the latest session");
        Check(onLaptop.Session.Id == onPhone.Session.Id, "the laptop is in the phone's session");
        Check(onLaptop.IssuedToken?.DeviceId == onLaptop.DeviceId, "the laptop gets a token of its own");
        string laptopToken = onLaptop.IssuedToken!.Token;
        await scope.AppendMessagesAsync(onLaptop.Session.Id, [NewMessage.User("And a day trip from there?")], cancellationToken: cancellationToken);
        var window = await scope.Context.BuildAsync(onLaptop.Session.Id, new ContextRequest { TokenBudget = 300 }, cancellationToken);
        output.WriteLine($"   laptop: context window of {window.Items.Count} messages ({window.TotalTokens}/{window.TokenBudget} tokens):");
        foreach (var item in window.Items)
        {
            output.WriteLine($"     #{item.Sequences.From} {item.Role,-9} {Preview(item.Content)}");
        }

        Check(window.Items.Any(i => i.Content.Contains("Baixa", StringComparison.Ordinal)), "the laptop's context holds what was said on the phone");
        await scope.AppendMessagesAsync(onLaptop.Session.Id, [NewMessage.Assistant("Sintra is 40 minutes by train from Rossio station.")], cancellationToken: cancellationToken);

        // 3. Back to the phone with only its token (no login): the token identifies Sam and the session.
        clock.Advance(TimeSpan.FromHours(1));
        Step("3. An hour later, the phone comes back with its token alone");
        var phoneAgain = await resolver.ResolveAsync(new SessionResolutionRequest { SessionToken = phoneToken }, cancellationToken);
        Report(phoneAgain);
        Check(phoneAgain.Reason == SessionResolutionReason.ContinuedFromToken && phoneAgain.Session.Id == onPhone.Session.Id, "the token continues the same session");
        var last = await scope.GetLastMessagesAsync(phoneAgain.Session.Id, 1, cancellationToken);
        output.WriteLine($"   phone sees the laptop's last answer: \"{last[0].Content}\"");
        Check(last[0].Content.Contains("Sintra", StringComparison.Ordinal), "the phone sees what was said on the laptop");

        // 4. Sam loses the phone and signs it out from the laptop: forgetting the device revokes its tokens.
        clock.Advance(TimeSpan.FromHours(3));
        Step("4. That evening Sam loses the phone, and signs it out from the laptop");
        foreach (var device in await scope.ListDevicesAsync(cancellationToken))
        {
            output.WriteLine($"   device {device.DeviceId} first seen {device.FirstSeenAt:ddd HH:mm}, last seen {device.LastSeenAt:ddd HH:mm}");
        }

        bool forgotten = await scope.ForgetDeviceAsync(phoneDevice, cancellationToken);
        output.WriteLine($"   forgot device {phoneDevice}: {forgotten}");
        Check(forgotten, "the phone was one of Sam's devices");

        // 5. Whoever holds the phone now presents the old token: refused, and Sam's session is out of reach.
        Step("5. The old phone token is presented again");
        var validation = await tokens.ValidateAsync(phoneToken, cancellationToken);
        output.WriteLine($"   token valid: {validation.IsValid} ({validation.FailureReason})");
        Check(!validation.IsValid, "a revoked token is refused");
        var stranger = await resolver.ResolveAsync(new SessionResolutionRequest { SessionToken = phoneToken }, cancellationToken);
        Report(stranger);
        Check(stranger.Reason == SessionResolutionReason.NewAnonymous && stranger.Session.Id != onPhone.Session.Id, "the holder of the old token gets a fresh anonymous session");
        try
        {
            await accessor.ForCaller(SessionCaller.User(stranger.Session.UserId)).GetLastMessagesAsync(onPhone.Session.Id, 10, cancellationToken);
            Check(false, "an anonymous caller must not read Sam's session");
        }
        catch (SessionAccessDeniedException ex)
        {
            output.WriteLine($"   reading Sam's session as {stranger.Session.UserId}: {ex.GetType().Name}");
        }

        // 6. The laptop's token still works.
        Step("6. The laptop carries on with its own token");
        var laptopAgain = await resolver.ResolveAsync(new SessionResolutionRequest { SessionToken = laptopToken }, cancellationToken);
        Report(laptopAgain);
        Check(laptopAgain.Reason == SessionResolutionReason.ContinuedFromToken && laptopAgain.Session.Id == onPhone.Session.Id, "the laptop keeps the conversation");
        return _ok;
    }

    private void Step(string title)
    {
        output.WriteLine();
        output.WriteLine(title);
    }

    private void Report(SessionResolutionResult resolution) =>
        output.WriteLine($"   resolver: {resolution.Reason}, session {resolution.Session.Id} of {resolution.Session.UserId}, device {resolution.DeviceId ?? "-"}"
            + (resolution.IssuedToken is null ? string.Empty : ", new token issued"));

    private void Check(bool condition, string expectation)
    {
        output.WriteLine($"   {(condition ? "ok" : "FAILED")}: {expectation}");
        _ok &= condition;
    }

    private static string Preview(string text) => text.Length <= 70 ? text : text[..69] + "…";
}
