using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SessionKit.PostgreSql.Tests;

/// <summary>Collects formatted log messages (and exception texts), to check what a store logs.</summary>
internal sealed class ListLogger<T>(ConcurrentBag<string> messages) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        messages.Add(formatter(state, exception) + (exception is null ? string.Empty : " " + exception));
    }
}
