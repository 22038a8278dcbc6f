using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace SessionKit.Benchmarks.Tests;

/// <summary>
/// Drives a benchmark class through the lifecycle BenchmarkDotNet gives it — parameters, global setup, each benchmark,
/// global cleanup — invoking every benchmark once instead of measuring it, so a test can check the suite still works.
/// </summary>
/// <remarks>
/// Each <c>[Params]</c> or <c>[ParamsSource]</c> member gets its first value and each benchmark with <c>[Arguments]</c> its
/// first set, so list the cheapest value first; <see cref="SetParam"/> overrides a value (a smaller size for a smoke run).
/// Every <c>[GlobalSetup]</c> runs once before all benchmarks, whatever its <c>Targets</c>.
/// </remarks>
internal sealed class BenchmarkClassRunner
{
    private const BindingFlags Members = BindingFlags.Public | BindingFlags.Instance;

    private BenchmarkClassRunner(Type type)
    {
        Instance = Activator.CreateInstance(type)
            ?? throw new InvalidOperationException($"{type} has no public parameterless constructor.");
        ApplyFirstParams();
    }

    /// <summary>The benchmark class's instance, for assertions on its state.</summary>
    public object Instance { get; }

    /// <summary>The benchmark methods, in declaration order.</summary>
    public IReadOnlyList<MethodInfo> Benchmarks => [.. MethodsWith<BenchmarkAttribute>().OrderBy(method => method.MetadataToken)];

    /// <summary>Creates an instance of <paramref name="type"/> with its parameters set.</summary>
    public static BenchmarkClassRunner For(Type type) => new(type);

    /// <summary>Creates an instance of <typeparamref name="T"/> with its parameters set.</summary>
    public static BenchmarkClassRunner For<T>() => new(typeof(T));

    /// <summary>Whether <paramref name="type"/> is a class BenchmarkDotNet would run.</summary>
    public static bool IsBenchmarkClass(Type type) =>
        type is { IsClass: true, IsAbstract: false, IsPublic: true }
        && type.GetMethods(Members).Any(method => method.IsDefined(typeof(BenchmarkAttribute)));

    /// <summary>Sets the parameter <paramref name="name"/> to <paramref name="value"/> instead of its first value.</summary>
    /// <exception cref="ArgumentException">The class has no <c>[Params]</c> or <c>[ParamsSource]</c> member of that name.</exception>
    public BenchmarkClassRunner SetParam(string name, object value)
    {
        var member = ParamMembers().FirstOrDefault(member => member.Name == name)
            ?? throw new ArgumentException($"{Instance.GetType().Name} has no parameter '{name}'.", nameof(name));
        SetValue(member, value);
        return this;
    }

    public Task GlobalSetupAsync() => InvokeAllAsync<GlobalSetupAttribute>();

    public Task GlobalCleanupAsync() => InvokeAllAsync<GlobalCleanupAttribute>();

    /// <summary>Runs every benchmark once, with the iteration setup and cleanup around it.</summary>
    public async Task InvokeEachBenchmarkOnceAsync()
    {
        foreach (var benchmark in Benchmarks)
        {
            await InvokeAllAsync<IterationSetupAttribute>();
            var arguments = benchmark.GetCustomAttributes<ArgumentsAttribute>().FirstOrDefault()?.Values ?? [];
            await InvokeAsync(benchmark, arguments);
            await InvokeAllAsync<IterationCleanupAttribute>();
        }
    }

    private IEnumerable<MethodInfo> MethodsWith<TAttribute>()
        where TAttribute : Attribute =>
        Instance.GetType().GetMethods(Members).Where(method => method.IsDefined(typeof(TAttribute)));

    private async Task InvokeAllAsync<TAttribute>()
        where TAttribute : Attribute
    {
        foreach (var method in MethodsWith<TAttribute>())
        {
            await InvokeAsync(method, []);
        }
    }

    private async Task InvokeAsync(MethodInfo method, object?[] arguments)
    {
        object? result;
        try
        {
            result = method.Invoke(Instance, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw new InvalidOperationException($"{method.DeclaringType?.Name}.{method.Name} threw: {ex.InnerException.Message}", ex.InnerException);
        }

        switch (result)
        {
            case Task task:
                await task;
                break;
            case ValueTask valueTask:
                await valueTask;
                break;
            case not null when result.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(ValueTask<>):
                await (Task)type.GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(result, null)!;
                break;
        }
    }

    private void ApplyFirstParams()
    {
        foreach (var member in ParamMembers())
        {
            var first = member.GetCustomAttribute<ParamsAttribute>() is { } values
                ? values.Values.FirstOrDefault()
                : SourceValues(member.GetCustomAttribute<ParamsSourceAttribute>()!.Name).FirstOrDefault();
            if (first is not null)
            {
                SetValue(member, first);
            }
        }
    }

    private IEnumerable<MemberInfo> ParamMembers() =>
        Instance.GetType().GetMembers(Members)
            .Where(member => member is PropertyInfo or FieldInfo)
            .Where(member => member.IsDefined(typeof(ParamsAttribute)) || member.IsDefined(typeof(ParamsSourceAttribute)));

    // A [ParamsSource] names a public method, property or field, static or not, that yields the values.
    private IEnumerable<object?> SourceValues(string name)
    {
        const BindingFlags Any = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static;
        var type = Instance.GetType();
        object? values = type.GetMethod(name, Any, []) is { } method ? method.Invoke(method.IsStatic ? null : Instance, null)
            : type.GetProperty(name, Any) is { } property ? property.GetValue(property.GetMethod!.IsStatic ? null : Instance)
            : type.GetField(name, Any) is { } field ? field.GetValue(field.IsStatic ? null : Instance)
            : throw new InvalidOperationException($"{type.Name} has no public member '{name}' for [ParamsSource].");
        return values is System.Collections.IEnumerable enumerable
            ? enumerable.Cast<object?>()
            : throw new InvalidOperationException($"{type.Name}.{name} does not return a sequence.");
    }

    private void SetValue(MemberInfo member, object value)
    {
        if (member is PropertyInfo property)
        {
            property.SetValue(Instance, value);
        }
        else
        {
            ((FieldInfo)member).SetValue(Instance, value);
        }
    }
}
