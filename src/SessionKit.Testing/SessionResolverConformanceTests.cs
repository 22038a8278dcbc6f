using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

/// <summary>
/// The behaviour of <see cref="SessionResolver"/> over every backend, and the <see cref="SessionCreateOptions.ContinuesFromSessionId"/>
/// link it relies on. A backend's test project subclasses this fixture and supplies a store that implements both
/// <see cref="ISessionStore"/> and <see cref="ISessionTokenStore"/>; every test gets a fresh store and clock.
/// </summary>
public abstract partial class SessionResolverConformanceTests : BackendFixture
{
    /// <summary>The inactivity window the suite's resolver uses (the default).</summary>
    protected static readonly TimeSpan Window = TimeSpan.FromMinutes(30);

    private static readonly SessionTokenOptions TokenOptions = new() { FingerprintKey = Enumerable.Range(1, 32).Select(i => (byte)(i * 5)).ToArray() };

    /// <summary>A resolver over <see cref="BackendFixture.Store"/> with the given policy.</summary>
    /// <param name="options">The policy; <see langword="null"/> for the defaults.</param>
    /// <returns>The resolver.</returns>
    protected SessionResolver Resolver(SessionResolverOptions? options = null)
    {
        var tokenStore = (ISessionTokenStore)Store;
        return new SessionResolver(Store, Tokens(), new DeviceRegistry(tokenStore, TokenOptions, Time), options, Time);
    }

    /// <summary>A token service over <see cref="BackendFixture.Store"/>.</summary>
    /// <returns>The service.</returns>
    protected SessionTokenService Tokens() => new((ISessionTokenStore)Store, TokenOptions, Time);

    [Test]
    public async Task KnownUser_WithNoSessions_StartsANewSession_WithAToken()
    {
        var resolution = await Resolver().ResolveAsync(new SessionResolutionRequest { UserId = "alice", Title = "first" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(resolution.IsNew, Is.True);
            Assert.That(resolution.Reason, Is.EqualTo(SessionResolutionReason.NewUser));
            Assert.That(resolution.Session.UserId, Is.EqualTo("alice"));
            Assert.That(resolution.Session.Title, Is.EqualTo("first"));
            Assert.That(resolution.PreviousSessionId, Is.Null);
            Assert.That(resolution.IssuedToken?.SessionId, Is.EqualTo(resolution.Session.Id));
        }
    }

    [Test]
    public async Task Returning_WithinTheWindow_ContinuesTheSameSession()
    {
        var resolver = Resolver();
        var first = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice" });
        Time.Advance(Window - TimeSpan.FromSeconds(1));

        var second = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(second.IsNew, Is.False);
            Assert.That(second.Reason, Is.EqualTo(SessionResolutionReason.ContinuedLatestSession));
            Assert.That(second.Session.Id, Is.EqualTo(first.Session.Id));
            Assert.That(second.IssuedToken, Is.Null);
        }
    }

    [Test]
    public async Task Returning_AfterTheWindow_StartsANewSession_LinkedToThePreviousOne()
    {
        var resolver = Resolver();
        var first = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice" });
        await Store.AppendMessageAsync(first.Session.Id, NewMessage.User("remember the plan"));
        Time.Advance(Window + TimeSpan.FromSeconds(1));

        var second = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(second.IsNew, Is.True);
            Assert.That(second.Reason, Is.EqualTo(SessionResolutionReason.NewAfterInactivity));
            Assert.That(second.Session.Id, Is.Not.EqualTo(first.Session.Id));
            Assert.That(second.PreviousSessionId, Is.EqualTo(first.Session.Id));
            Assert.That(second.Session.ContinuesFromSessionId, Is.EqualTo(first.Session.Id));
            Assert.That((await Store.GetSessionAsync(second.Session.Id)).ContinuesFromSessionId, Is.EqualTo(first.Session.Id));
        }
    }

    [Test]
    public async Task Returning_AfterTheWindow_WithLinkingOff_StartsAnUnlinkedSession()
    {
        var resolver = Resolver(new SessionResolverOptions { LinkPreviousSession = false, InactivityWindow = TimeSpan.FromDays(7) });
        var first = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice" });
        Time.Advance(TimeSpan.FromDays(2));
        var withinWeek = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice" });
        Time.Advance(TimeSpan.FromDays(8));

        var later = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(withinWeek.Session.Id, Is.EqualTo(first.Session.Id));
            Assert.That(later.Reason, Is.EqualTo(SessionResolutionReason.NewAfterInactivity));
            Assert.That(later.PreviousSessionId, Is.EqualTo(first.Session.Id));
            Assert.That(later.Session.ContinuesFromSessionId, Is.Null);
        }
    }

    [Test]
    public async Task Token_WithNoUserId_ContinuesTheSessionItIsBoundTo()
    {
        var resolver = Resolver();
        var first = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice" });
        // A newer session of the same user: the token still picks the one it is bound to.
        await Store.CreateSessionAsync("alice");

        var resolution = await resolver.ResolveAsync(new SessionResolutionRequest { SessionToken = first.IssuedToken!.Token });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(resolution.IsNew, Is.False);
            Assert.That(resolution.Reason, Is.EqualTo(SessionResolutionReason.ContinuedFromToken));
            Assert.That(resolution.Session.Id, Is.EqualTo(first.Session.Id));
        }
    }

    [Test]
    public async Task Token_OfAnotherUser_IsIgnored_AndTheAuthenticatedUserGetsTheirOwnSession()
    {
        var resolver = Resolver();
        var mallory = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "mallory" });

        var resolution = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice", SessionToken = mallory.IssuedToken!.Token });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(resolution.Reason, Is.EqualTo(SessionResolutionReason.NewUser));
            Assert.That(resolution.Session.UserId, Is.EqualTo("alice"));
        }
    }

    [Test]
    public async Task Anonymous_GetsATokenThatResolvesBackToTheSameSession()
    {
        var resolver = Resolver();
        var first = await resolver.ResolveAsync(new SessionResolutionRequest());
        Time.Advance(TimeSpan.FromMinutes(5));

        var second = await resolver.ResolveAsync(new SessionResolutionRequest { SessionToken = first.IssuedToken!.Token });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Reason, Is.EqualTo(SessionResolutionReason.NewAnonymous));
            Assert.That(first.IsNew, Is.True);
            Assert.That(first.Session.UserId, Does.StartWith("anon:"));
            Assert.That(first.IssuedToken.SessionId, Is.EqualTo(first.Session.Id));
            Assert.That(second.Reason, Is.EqualTo(SessionResolutionReason.ContinuedFromToken));
            Assert.That(second.Session.Id, Is.EqualTo(first.Session.Id));
            Assert.That(second.IssuedToken, Is.Null);
        }
    }

    [TestCase("garbage")]
    [TestCase("expired")]
    [TestCase("revoked")]
    public async Task BadToken_WithNoUserId_StartsANewAnonymousSession_WithANewToken(string kind)
    {
        var resolver = Resolver();
        var first = await resolver.ResolveAsync(new SessionResolutionRequest());
        string token = await Spoil(first.IssuedToken!, kind);

        var resolution = await resolver.ResolveAsync(new SessionResolutionRequest { SessionToken = token });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(resolution.Reason, Is.EqualTo(SessionResolutionReason.NewAnonymous));
            Assert.That(resolution.Session.Id, Is.Not.EqualTo(first.Session.Id));
            Assert.That(resolution.Session.UserId, Is.Not.EqualTo(first.Session.UserId).And.StartWith("anon:"));
            Assert.That(resolution.IssuedToken, Is.Not.Null);
            Assert.That(resolution.IssuedToken!.Token, Is.Not.EqualTo(first.IssuedToken!.Token));
        }
    }

    [TestCase("garbage")]
    [TestCase("revoked")]
    public async Task BadToken_WithAUserId_FallsBackToTheUsersLatestSession(string kind)
    {
        var resolver = Resolver();
        var first = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice" });
        string token = await Spoil(first.IssuedToken!, kind);

        var resolution = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice", SessionToken = token });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(resolution.Reason, Is.EqualTo(SessionResolutionReason.ContinuedLatestSession));
            Assert.That(resolution.Session.Id, Is.EqualTo(first.Session.Id));
        }
    }

    [Test]
    public async Task KnownUser_OnANewDevice_ContinuesTheSameSession_ByDefault()
    {
        var resolver = Resolver();
        var phone = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice", DeviceId = "phone" });
        Time.Advance(TimeSpan.FromMinutes(10));

        var laptop = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice", DeviceId = "laptop" });
        var laptopAgain = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice", DeviceId = "laptop" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(laptop.IsNew, Is.False);
            Assert.That(laptop.Reason, Is.EqualTo(SessionResolutionReason.ContinuedOnNewDevice));
            Assert.That(laptop.Session.Id, Is.EqualTo(phone.Session.Id));
            Assert.That(laptop.DeviceId, Is.EqualTo("laptop"));
            Assert.That(laptop.Session.Metadata[SessionResolverOptions.DeviceMetadataKey], Is.EqualTo("laptop"));
            Assert.That(laptopAgain.Reason, Is.EqualTo(SessionResolutionReason.ContinuedLatestSession));
            Assert.That(laptop.IssuedToken?.DeviceId, Is.EqualTo("laptop"), "the joining device gets a token of its own");
            Assert.That(laptop.IssuedToken?.SessionId, Is.EqualTo(phone.Session.Id));
            Assert.That(laptopAgain.IssuedToken, Is.Null, "a device already in the session gets no new token");
        }
    }

    [Test]
    public async Task KnownUser_OnANewDevice_StartsANewSession_WhenContinuingAcrossDevicesIsOff()
    {
        var resolver = Resolver(new SessionResolverOptions { ContinueAcrossDevices = false });
        var phone = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice", DeviceId = "phone" });
        Time.Advance(TimeSpan.FromMinutes(1));

        var laptop = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice", DeviceId = "laptop" });
        Time.Advance(TimeSpan.FromMinutes(1));
        var phoneAgain = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice", DeviceId = "phone" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(laptop.IsNew, Is.True);
            Assert.That(laptop.Reason, Is.EqualTo(SessionResolutionReason.NewOnNewDevice));
            Assert.That(laptop.Session.Id, Is.Not.EqualTo(phone.Session.Id));
            Assert.That(laptop.Session.ContinuesFromSessionId, Is.Null);
            // The laptop's session is now the latest, so the phone is the "other" device.
            Assert.That(phoneAgain.Reason, Is.EqualTo(SessionResolutionReason.NewOnNewDevice));
        }
    }

    [Test]
    public async Task KnownUser_RecognisedByFingerprint_ContinuesAsTheSameDevice()
    {
        var resolver = Resolver(new SessionResolverOptions { ContinueAcrossDevices = false });
        var fingerprint = new Dictionary<string, string> { ["ua"] = "Firefox", ["tz"] = "Europe/Paris" };
        var first = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice", Fingerprint = fingerprint });

        var second = await resolver.ResolveAsync(new SessionResolutionRequest
        {
            UserId = "alice",
            Fingerprint = new Dictionary<string, string> { ["TZ"] = "Europe/Paris ", ["UA"] = "Firefox" },
        });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.DeviceId, Is.Not.Null);
            Assert.That(second.DeviceId, Is.EqualTo(first.DeviceId));
            Assert.That(second.Reason, Is.EqualTo(SessionResolutionReason.ContinuedLatestSession));
            Assert.That(second.Session.Id, Is.EqualTo(first.Session.Id));
        }
    }

    [Test]
    public void InvalidOptions_AreRejected_NamingTheSetting()
    {
        var ex = Assert.Throws<ArgumentException>(() => Resolver(new SessionResolverOptions { InactivityWindow = TimeSpan.Zero }));

        Assert.That(ex!.Message, Does.Contain("SessionResolverOptions.InactivityWindow"));
    }

    [Test]
    public async Task ContinuesFrom_AnUnknownSessionOrAnotherUsersSession_IsRejected()
    {
        var bobs = await Store.CreateSessionAsync("bob");
        var alices = await Store.CreateSessionAsync("alice");
        var deleted = await Store.CreateSessionAsync("alice");
        await Store.DeleteSessionAsync(deleted.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentException>(() => Store.CreateSessionAsync("alice", new SessionCreateOptions { ContinuesFromSessionId = Guid.Empty }));
            Assert.ThrowsAsync<ArgumentException>(() => Store.CreateSessionAsync("alice", new SessionCreateOptions { ContinuesFromSessionId = Guid.CreateVersion7() }));
            Assert.ThrowsAsync<ArgumentException>(() => Store.CreateSessionAsync("alice", new SessionCreateOptions { ContinuesFromSessionId = deleted.Id }));
            Assert.ThrowsAsync<ArgumentException>(() => Store.CreateSessionAsync("alice", new SessionCreateOptions { ContinuesFromSessionId = bobs.Id }));
            var linked = await Store.CreateSessionAsync("alice", new SessionCreateOptions { ContinuesFromSessionId = alices.Id });
            Assert.That((await Store.GetSessionAsync(linked.Id)).ContinuesFromSessionId, Is.EqualTo(alices.Id));
            Assert.That((await Store.GetSessionAsync(alices.Id)).ContinuesFromSessionId, Is.Null);
        }
    }

    private async Task<string> Spoil(IssuedSessionToken issued, string kind)
    {
        switch (kind)
        {
            case "garbage":
                return "sk_not-a-token";
            case "expired":
                // Past the token's lifetime (30 days by default); the session is long inactive too.
                Time.Advance(TimeSpan.FromDays(31));
                return issued.Token;
            case "revoked":
                await Tokens().RevokeAsync(issued.Token);
                return issued.Token;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    [Test]
    public async Task ClaimAnonymous_MovesTheVisitorsHistoryToTheUser_AndSwapsTheToken()
    {
        var resolver = Resolver();
        var visitor = await resolver.ResolveAsync(new SessionResolutionRequest { DeviceId = "phone" });
        await Store.AppendMessagesAsync(visitor.Session.Id, [NewMessage.User("What drives ocean acidification?")]);
        var earlier = await Store.CreateSessionAsync("carol");
        Time.Advance(TimeSpan.FromMinutes(1));

        var claimed = await resolver.ClaimAnonymousAsync(visitor.IssuedToken!.Token, "carol");
        var next = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "carol", SessionToken = claimed.IssuedToken!.Token });
        var oldToken = await Tokens().ValidateAsync(visitor.IssuedToken.Token);
        var newToken = await Tokens().ValidateAsync(claimed.IssuedToken!.Token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(claimed.Reason, Is.EqualTo(SessionResolutionReason.ClaimedAnonymous));
            Assert.That(claimed.IsNew, Is.False);
            Assert.That(claimed.Session.Id, Is.EqualTo(visitor.Session.Id));
            Assert.That(claimed.Session.UserId, Is.EqualTo("carol"));
            Assert.That(claimed.DeviceId, Is.EqualTo(visitor.DeviceId));
            Assert.That(oldToken.IsValid, Is.False, "the anonymous token stops working");
            Assert.That(newToken.UserId, Is.EqualTo("carol"));
            Assert.That(newToken.SessionId, Is.EqualTo(visitor.Session.Id));
            Assert.That(next.Session.Id, Is.EqualTo(visitor.Session.Id), "with the new token carol continues the claimed session");
            Assert.That(next.Reason, Is.EqualTo(SessionResolutionReason.ContinuedFromToken));
            Assert.That((await Store.ListSessionsAsync("carol")).Items.Select(x => x.Id), Is.EquivalentTo(new[] { visitor.Session.Id, earlier.Id }));
            Assert.That((await Store.SearchAsync("carol", new SearchQuery { Text = "acidification" })).Items, Has.Count.EqualTo(1));
            Assert.That((await Store.ListSessionsAsync(visitor.Session.UserId)).Items, Is.Empty);
        }
    }

    [Test]
    public async Task ClaimAnonymous_WithAnOverLongUserId_Throws_AndTheVisitorKeepsTokenAndHistory()
    {
        var resolver = Resolver();
        var visitor = await resolver.ResolveAsync(new SessionResolutionRequest { DeviceId = "phone" });
        string tooLong = new('c', Store.Limits.MaxIdLength + 1);

        var ex = Assert.ThrowsAsync<ArgumentException>(() => resolver.ClaimAnonymousAsync(visitor.IssuedToken!.Token, tooLong));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex?.ParamName, Is.EqualTo("userId"));
            Assert.That(ex?.Message, Does.Contain("SessionLimits.MaxIdLength"));
            Assert.That((await Tokens().ValidateAsync(visitor.IssuedToken!.Token)).IsValid, Is.True, "the visitor's token was not revoked");
            Assert.That((await Store.GetSessionAsync(visitor.Session.Id)).UserId, Is.EqualTo(visitor.Session.UserId));
        }
    }

    [Test]
    public async Task Resolve_WithATitleOverTheLimit_Throws_AndRegistersNoDevice()
    {
        var request = new SessionResolutionRequest { UserId = "alice", DeviceId = "phone", Title = new string('t', Store.Limits.MaxTitleLength + 1) };

        var ex = Assert.ThrowsAsync<ArgumentException>(() => Resolver().ResolveAsync(request));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex?.ParamName, Is.EqualTo("request"));
            Assert.That(ex?.Message, Does.Contain("SessionLimits.MaxTitleLength"));
            Assert.That(await ((ISessionTokenStore)Store).ListDevicesAsync("alice"), Is.Empty);
            Assert.That((await Store.ListSessionsAsync("alice")).Items, Is.Empty);
        }
    }

    [Test]
    public void Resolve_WithAnOverLongUserId_ThrowsNamingTheRequestsField()
    {
        var request = new SessionResolutionRequest { UserId = new string('u', Store.Limits.MaxIdLength + 1), DeviceId = "phone" };

        var ex = Assert.ThrowsAsync<ArgumentException>(() => Resolver().ResolveAsync(request));

        Assert.That(ex?.ParamName, Is.EqualTo("request"));
        Assert.That(ex?.Message, Does.Contain("SessionResolutionRequest.UserId"));
    }

    [Test]
    public async Task ClaimAnonymous_WithASignedInUsersToken_IsDenied_AndMovesNothing()
    {
        var alice = await Resolver().ResolveAsync(new SessionResolutionRequest { UserId = "alice" });

        var denied = Assert.ThrowsAsync<SessionAccessDeniedException>(() => Resolver().ClaimAnonymousAsync(alice.IssuedToken!.Token, "mallory"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(denied!.Message, Does.Contain("signed-in user"));
            Assert.That((await Store.GetSessionAsync(alice.Session.Id)).UserId, Is.EqualTo("alice"));
            Assert.That((await Tokens().ValidateAsync(alice.IssuedToken!.Token)).IsValid, Is.True);
            Assert.That((await Store.ListSessionsAsync("mallory")).Items, Is.Empty);
        }
    }

    [Test]
    public async Task ClaimAnonymous_WithABadToken_ThrowsInvalidToken_AndMovesNothing()
    {
        var visitor = await Resolver().ResolveAsync(new SessionResolutionRequest());
        string forged = visitor.IssuedToken!.Token[..^2] + (visitor.IssuedToken.Token[^2] == 'A' ? "BB" : "AA");

        Assert.ThrowsAsync<InvalidSessionTokenException>(() => Resolver().ClaimAnonymousAsync(forged, "carol"));
        Assert.ThrowsAsync<InvalidSessionTokenException>(() => Resolver().ClaimAnonymousAsync("sk_nonsense", "carol"));
        Assert.ThrowsAsync<ArgumentException>(() => Resolver().ClaimAnonymousAsync(visitor.IssuedToken.Token, "anon:other"));
        Assert.ThrowsAsync<ArgumentException>(() => Resolver().ClaimAnonymousAsync(visitor.IssuedToken.Token, " "));
        Assert.That((await Store.ListSessionsAsync("carol")).Items, Is.Empty);
        Assert.That((await Tokens().ValidateAsync(visitor.IssuedToken.Token)).IsValid, Is.True);
    }

    [Test]
    public async Task ClaimAnonymous_TwiceWithTheSameToken_FailsTheSecondTime()
    {
        var visitor = await Resolver().ResolveAsync(new SessionResolutionRequest());
        await Resolver().ClaimAnonymousAsync(visitor.IssuedToken!.Token, "carol");

        Assert.ThrowsAsync<InvalidSessionTokenException>(() => Resolver().ClaimAnonymousAsync(visitor.IssuedToken.Token, "dave"));
        Assert.That((await Store.GetSessionAsync(visitor.Session.Id)).UserId, Is.EqualTo("carol"));
    }
}
