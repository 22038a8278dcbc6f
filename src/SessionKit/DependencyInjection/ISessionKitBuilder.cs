namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures SessionKit after <see cref="SessionKitServiceCollectionExtensions.AddSessionKit"/>: choose a backend and plug in parts.</summary>
public interface ISessionKitBuilder
{
    /// <summary>The service collection SessionKit is registered in.</summary>
    IServiceCollection Services { get; }
}
