using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

/// <summary>
/// The set-up the identity and access suites share: a fake clock starting at <see cref="StartTime"/> and a fresh backend
/// per test, disposed after it. A backend's test project supplies the store.
/// </summary>
public abstract class BackendFixture
{
    /// <summary>The instant the fake clock starts at in every test.</summary>
    protected static readonly DateTimeOffset StartTime = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private FakeTimeProvider? _time;
    private SessionStore? _store;

    /// <summary>The clock the store and services were created with.</summary>
    protected FakeTimeProvider Time => _time ?? throw new InvalidOperationException("The fixture has not been set up.");

    /// <summary>The store under test.</summary>
    protected SessionStore Store => _store ?? throw new InvalidOperationException("The fixture has not been set up.");

    /// <summary>Creates a new, empty backend.</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>The store; the fixture disposes it.</returns>
    protected abstract SessionStore CreateStore(TimeProvider timeProvider);

    /// <summary>Creates the clock and the store for one test.</summary>
    [SetUp]
    public void SetUpStore()
    {
        _time = new FakeTimeProvider(StartTime);
        _store = CreateStore(_time);
    }

    /// <summary>Disposes the store.</summary>
    /// <returns>A task that completes when it is disposed.</returns>
    [TearDown]
    public async Task TearDownStoreAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
            _store = null;
        }
    }
}
