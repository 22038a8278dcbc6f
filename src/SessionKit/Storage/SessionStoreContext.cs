namespace SessionKit.Storage;

/// <summary>What a backend's factory receives when SessionKit creates the store from dependency injection.</summary>
/// <param name="Services">The service provider, for backend-specific options and loggers.</param>
/// <param name="Limits">The validated size limits.</param>
/// <param name="TimeProvider">The clock (the container's <see cref="System.TimeProvider"/>, or the system clock).</param>
/// <param name="TokenCounter">The counter whose counts are stored with messages.</param>
public sealed record SessionStoreContext(IServiceProvider Services, SessionLimits Limits, TimeProvider TimeProvider, ITokenCounter TokenCounter);
