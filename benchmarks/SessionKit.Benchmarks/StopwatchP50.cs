using System.Diagnostics;
using System.Globalization;

namespace SessionKit.Benchmarks;

/// <summary>
/// Per-operation p50s for the SQLite append and context-build cases and the in-memory context build, each interleaved with
/// its floors in blocks in one process (<c>--p50 append</c>, <c>--p50 build</c>, <c>--p50 build-memory</c>): on a loaded machine a p50 over thousands of single operations taken
/// side by side with its floor is steadier than BenchmarkDotNet's mean of a few iterations taken one method after another.
/// </summary>
/// <remarks>
/// Where Linux reports it, each case also shows its thread's CPU time per operation (the median over blocks of a block's
/// mean): what the operation itself costs, without the time it waited for a CPU while other processes ran. The in-memory
/// reports leave it out: reading it perturbs operations of a few microseconds.
/// </remarks>
public static class StopwatchP50
{
    /// <summary>Operations per case between switches to the next case.</summary>
    public const int DefaultBlock = 200;

    /// <summary>Runs the named report (<c>append</c>, <c>append-writes</c>, <c>build</c>, <c>build-memory</c> or <c>build-memory-recall</c>) and writes it to <paramref name="output"/>.</summary>
    /// <param name="which"><c>append</c>, <c>append-writes</c>, <c>build</c> (SQLite), <c>build-memory</c> (in memory) or
    /// <c>build-memory-recall</c> (in memory, the default request: recall by the newest user message).</param>
    /// <param name="rounds">Rounds of <paramref name="block"/> operations per case (after one warm-up block each).</param>
    /// <param name="output">Where the report goes.</param>
    /// <param name="block">Operations per case between switches to the next case.</param>
    /// <param name="messageCounts">The session sizes of <c>build</c>; <see langword="null"/> for <see cref="ContextBuildBenchmarks.MessageCounts"/>.</param>
    /// <returns>A task that completes when the report is written.</returns>
    public static async Task RunAsync(string which, int rounds, TextWriter output, int block = DefaultBlock, IReadOnlyList<int>? messageCounts = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(block, 1);
        switch (which)
        {
            case "append":
                await AppendAsync(rounds, block, output);
                break;
            case "append-writes":
                await AppendWritesAsync(rounds, block, output);
                break;
            case "build":
                await BuildAsync(StoreBackend.Sqlite, messageCounts ?? [.. ContextBuildBenchmarks.MessageCounts()], rounds, block, output);
                break;
            case "build-memory":
                await BuildAsync(StoreBackend.InMemory, messageCounts ?? [.. ContextBuildBenchmarks.MessageCounts()], rounds, block, output);
                break;
            case "build-memory-recall":
                await BuildAsync(StoreBackend.InMemory, messageCounts ?? [.. ContextBuildBenchmarks.MessageCounts()], rounds, block, output, recall: true);
                break;
            default:
                throw new ArgumentException($"Unknown report '{which}': use append, append-writes, build, build-memory or build-memory-recall.", nameof(which));
        }
    }

    private static async Task AppendAsync(int rounds, int block, TextWriter output)
    {
        var benchmarks = new AppendBenchmarks();
        await benchmarks.SetupAsync();
        try
        {
            var cases = new (string Name, Func<ValueTask> Run)[]
            {
                ("RawInsertOne (floor: INSERT + FTS + count)", () => { benchmarks.RawInsertOne(); return ValueTask.CompletedTask; }),
                ("RawSameWritesInsertOne (floor: the store's writes by hand)", () => { benchmarks.RawSameWritesInsertOne(); return ValueTask.CompletedTask; }),
                ("SqliteStoreAppendOne", async () => await benchmarks.SqliteStoreAppendOne()),
            };
            _ = await MeasureAsync(cases, rounds, block, output, allocations: true);
        }
        finally
        {
            await benchmarks.CleanupAsync();
        }
    }

    // Which of the store's writes costs what: the same-writes floor with one write (or setting) taken away at a time.
    private static async Task AppendWritesAsync(int rounds, int block, TextWriter output)
    {
        var benchmarks = new AppendBenchmarks();
        await benchmarks.SetupAsync();
        var directory = benchmarks.DatabaseDirectory!;
        var variants = new List<(string Name, RawSqliteSameWritesLog Log)>
        {
            ("same writes", await RawSqliteSameWritesLog.CreateAsync(Path.Combine(directory, "v0.db"), "u")),
            ("  without the change-log row", await RawSqliteSameWritesLog.CreateAsync(Path.Combine(directory, "v1.db"), "u", logChange: false)),
            ("  without the session advance", await RawSqliteSameWritesLog.CreateAsync(Path.Combine(directory, "v2.db"), "u", advanceSession: false)),
            ("  without both", await RawSqliteSameWritesLog.CreateAsync(Path.Combine(directory, "v3.db"), "u", advanceSession: false, logChange: false)),
            ("  without ix_messages_session_created", await RawSqliteSameWritesLog.CreateAsync(Path.Combine(directory, "v4.db"), "u")),
            ("  with PRAGMA secure_delete = OFF", await RawSqliteSameWritesLog.CreateAsync(Path.Combine(directory, "v5.db"), "u")),
            ("  with FTS5 secure-delete off", await RawSqliteSameWritesLog.CreateAsync(Path.Combine(directory, "v6.db"), "u")),
            ("  without ix_sessions_user_activity", await RawSqliteSameWritesLog.CreateAsync(Path.Combine(directory, "v7.db"), "u")),
        };
        variants[4].Log.Execute("DROP INDEX ix_messages_session_created;");
        variants[5].Log.Execute("PRAGMA secure_delete = OFF;");
        variants[6].Log.Execute("INSERT INTO messages_fts (messages_fts, rank) VALUES ('secure-delete', 0);");
        variants[7].Log.Execute("DROP INDEX ix_sessions_user_activity;");
        try
        {
            var one = new[] { SeededMessages.Create(1)[0] };
            var cases = new List<(string Name, Func<ValueTask> Run)>
            {
                ("RawInsertOne (floor: INSERT + FTS + count)", () => { benchmarks.RawInsertOne(); return ValueTask.CompletedTask; }),
            };
            cases.AddRange(variants.Select(v => (v.Name, (Func<ValueTask>)(() => { v.Log.Insert(one); return ValueTask.CompletedTask; }))));
            cases.Add(("SqliteStoreAppendOne", async () => await benchmarks.SqliteStoreAppendOne()));
            _ = await MeasureAsync([.. cases], rounds, block, output, allocations: false);
        }
        finally
        {
            foreach (var (_, log) in variants)
            {
                log.Dispose();
            }

            await benchmarks.CleanupAsync();
        }
    }

    // Every size set up first, then all sizes measured interleaved, so the ratios between sizes see the same load.
    private static async Task BuildAsync(StoreBackend backend, IReadOnlyList<int> messageCounts, int rounds, int block, TextWriter output, bool recall = false)
    {
        var all = new List<ContextBuildBenchmarks>();
        try
        {
            var cases = new List<(string Name, Func<ValueTask> Run)>();
            foreach (int messageCount in messageCounts)
            {
                var benchmarks = new ContextBuildBenchmarks { MessageCount = messageCount, Backend = backend };
                all.Add(benchmarks);
                await benchmarks.SetupAsync();
                output.WriteLine($"// {benchmarks.Setup}");
                var window = await benchmarks.BuildContext();
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"// {messageCount} window: {window.Items.Count} items ({window.Items.Count(item => item.Kind == ContextItemKind.Summary)} summaries), {window.TotalTokens} tokens"));
                cases.Add(($"RawWindowRead {messageCount} (floor)", () => { benchmarks.RawWindowRead(); return ValueTask.CompletedTask; }));
                cases.Add(recall
                    ? ($"BuildContextWithRecall {messageCount}", async () => await benchmarks.BuildContextWithRecall())
                    : ($"BuildContext {messageCount}", async () => await benchmarks.BuildContext()));
            }

            // Reading the CPU time between blocks slows the next few microseconds of work (measured: the in-memory floor went from
            // 0.1 to 1.1 µs p50 and the in-memory build from 5.2 to 6.0 µs), so the in-memory reports, whose operations take a few
            // microseconds, go without it.
            var (p50, cpu) = await MeasureAsync([.. cases], rounds, block, output, allocations: true, floorEvery: 2, sampleCpu: backend != StoreBackend.InMemory);
            for (int i = 1; i < messageCounts.Count; i++)
            {
                string byCpu = cpu is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; by CPU time {cpu[(2 * i) + 1] / cpu[1]:F2} (floors: {cpu[2 * i] / cpu[0]:F2})");
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"// {(recall ? "BuildContextWithRecall" : "BuildContext")} {messageCounts[i]} / {messageCounts[0]}: {p50[(2 * i) + 1] / p50[1]:F2} (floors: {p50[2 * i] / p50[0]:F2}){byCpu}"));
            }
        }
        finally
        {
            foreach (var benchmarks in all)
            {
                await benchmarks.CleanupAsync();
            }
        }
    }

    // Each case's ratio is to the case that starts its group of floorEvery (the group's floor); returns the p50s and, where
    // the thread's CPU time can be read and every block ran on one thread, each case's CPU time per operation.
    private static async Task<(double[] P50, double[]? Cpu)> MeasureAsync((string Name, Func<ValueTask> Run)[] cases, int rounds, int block, TextWriter output, bool allocations, int? floorEvery = null, bool sampleCpu = true)
    {
        // Warm up every case (JIT, prepared statements, caches) before measuring any.
        foreach (var (_, run) in cases)
        {
            for (int i = 0; i < block; i++)
            {
                await run();
            }
        }

        var times = cases.Select(_ => new List<double>(rounds * block)).ToArray();
        var cpuPerBlock = cases.Select(_ => new List<double>(rounds)).ToArray();
        var allocated = new long[cases.Length];
        bool cpuKnown = sampleCpu && ThreadCpuTime.IsAvailable;
        long onCpu = 0, waiting = 0;
        for (int round = 0; round < rounds; round++)
        {
            for (int c = 0; c < cases.Length; c++)
            {
                var run = cases[c].Run;
                int thread = Environment.CurrentManagedThreadId;
                var cpuBefore = cpuKnown ? ThreadCpuTime.Read() : null;
                long bytes = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < block; i++)
                {
                    long started = Stopwatch.GetTimestamp();
                    await run();
                    times[c].Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                }

                allocated[c] += GC.GetAllocatedBytesForCurrentThread() - bytes;

                // A block that moved to another thread (an operation that completed asynchronously) has no CPU time of its own.
                var cpuAfter = cpuKnown && Environment.CurrentManagedThreadId == thread ? ThreadCpuTime.Read() : null;
                if (cpuBefore is { } b && cpuAfter is { } a)
                {
                    cpuPerBlock[c].Add((a.OnCpu - b.OnCpu) / 1000.0 / block);
                    onCpu += a.OnCpu - b.OnCpu;
                    waiting += a.Waiting - b.Waiting;
                }
                else
                {
                    cpuKnown = false;
                }
            }
        }

        var p50s = times.Select(t => Percentile(t, 0.5)).ToArray();
        double[]? cpu = cpuKnown ? [.. cpuPerBlock.Select(t => Percentile(t, 0.5))] : null;
        for (int c = 0; c < cases.Length; c++)
        {
            double p50 = p50s[c];
            int floorCase = floorEvery is { } every ? c - (c % every) : 0;
            double floor = p50s[floorCase];
            string cpuPart = cpu is null ? "" : string.Create(CultureInfo.InvariantCulture, $"  cpu {cpu[c],7:F1} µs/op (ratio {cpu[c] / cpu[floorCase],4:F2})");
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{cases[c].Name,-62} p50 {p50,9:F1} µs  p25 {Percentile(times[c], 0.25),9:F1}  p75 {Percentile(times[c], 0.75),9:F1}  ratio to floor {p50 / floor,5:F2}  " +
                $"{(allocations ? allocated[c] / (double)(rounds * block) : 0),8:F0} B/op  n={times[c].Count}{cpuPart}"));
        }

        if (cpu is not null && onCpu + waiting > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// the measuring thread waited for a CPU {100.0 * waiting / (onCpu + waiting):F0}% of the measured time"));
        }

        return (p50s, cpu);
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Round(p * (sorted.Length - 1)))];
    }
}
