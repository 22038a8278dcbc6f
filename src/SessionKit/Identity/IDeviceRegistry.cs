namespace SessionKit;

/// <summary>
/// A user's devices: registered, listed, recognised by fingerprint and forgotten. A fingerprint is whatever attributes the
/// host has about a device; it is normalised and kept only as a keyed hash (see <see cref="SessionTokenOptions.FingerprintKey"/>).
/// </summary>
public interface IDeviceRegistry
{
    /// <summary>
    /// Registers a device or updates a known one and marks it seen now. Without a <see cref="DeviceRegistration.DeviceId"/>,
    /// a device of the user with the same fingerprint is updated if there is one; otherwise a new device gets a new id.
    /// </summary>
    /// <param name="userId">The owner.</param>
    /// <param name="registration">The device id, display name and fingerprint, each optional.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The device as stored.</returns>
    /// <exception cref="InvalidOperationException">A fingerprint was given but no fingerprint key is configured.</exception>
    Task<Device> RegisterAsync(string userId, DeviceRegistration registration, CancellationToken cancellationToken = default);

    /// <summary>Finds the user's device with this fingerprint and marks it seen now.</summary>
    /// <param name="userId">The owner.</param>
    /// <param name="fingerprint">The device's attributes (order, key case and surrounding white space do not matter).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The device, or <see langword="null"/> when none of the user's devices has this fingerprint (or it is empty).</returns>
    /// <exception cref="InvalidOperationException">No fingerprint key is configured.</exception>
    Task<Device?> RecognizeAsync(string userId, IReadOnlyDictionary<string, string> fingerprint, CancellationToken cancellationToken = default);

    /// <summary>Finds one of the user's devices by id.</summary>
    /// <param name="userId">The owner.</param>
    /// <param name="deviceId">The device id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The device, or <see langword="null"/>.</returns>
    Task<Device?> FindAsync(string userId, string deviceId, CancellationToken cancellationToken = default);

    /// <summary>Lists the user's devices, most recently seen first.</summary>
    /// <param name="userId">The owner.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The devices.</returns>
    Task<IReadOnlyList<Device>> ListAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Marks a device seen now.</summary>
    /// <param name="userId">The owner.</param>
    /// <param name="deviceId">The device id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The updated device, or <see langword="null"/> when there is none.</returns>
    Task<Device?> TouchAsync(string userId, string deviceId, CancellationToken cancellationToken = default);

    /// <summary>Deletes a device and revokes every session token bound to it.</summary>
    /// <param name="userId">The owner.</param>
    /// <param name="deviceId">The device id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> if the device existed.</returns>
    Task<bool> ForgetAsync(string userId, string deviceId, CancellationToken cancellationToken = default);
}
