using System.Text;

namespace SessionKit;

/// <summary>What the host knows about a request, for <see cref="ISessionResolver.ResolveAsync"/>. Every part is optional.</summary>
/// <remarks><see cref="ToString"/> leaves out the token and the fingerprint values, so logging this object does not leak them.</remarks>
public sealed record SessionResolutionRequest
{
    /// <summary>The authenticated user id, or <see langword="null"/> when the request is not authenticated.</summary>
    public string? UserId { get; init; }

    /// <summary>The session token the client presented, or <see langword="null"/>.</summary>
    public string? SessionToken { get; init; }

    /// <summary>The device id the host has for the client (cookie, install id…), or <see langword="null"/>.</summary>
    public string? DeviceId { get; init; }

    /// <summary>
    /// Device attributes to recognise the device by when <see cref="DeviceId"/> is not known, or <see langword="null"/>.
    /// Requires <see cref="SessionTokenOptions.FingerprintKey"/>; only a keyed hash is stored.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Fingerprint { get; init; }

    /// <summary>The title for a session created by this request, or <see langword="null"/>.</summary>
    public string? Title { get; init; }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("UserId = ").Append(UserId)
            .Append(", SessionToken = ").Append(SessionToken is null ? "null" : "<redacted>")
            .Append(", DeviceId = ").Append(DeviceId)
            .Append(", Fingerprint = ").Append(Fingerprint is null ? "null" : "<redacted>")
            .Append(", Title = ").Append(Title);
        return true;
    }
}
