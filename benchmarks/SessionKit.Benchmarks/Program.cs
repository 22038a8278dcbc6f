using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

// --quality prints what windows contain (prompt-cache prefix reuse, recall on the seeded recall set); nothing is timed.
if (args.Contains("--quality", StringComparer.Ordinal))
{
    Console.WriteLine(await SessionKit.Benchmarks.WindowQuality.ReportAsync());
    return 0;
}

// --quick trades precision for time (one launch, 3 warm-up and 3 measured iterations), so a full run fits in minutes on 2 cores.
const string QuickFlag = "--quick";
bool quick = args.Contains(QuickFlag, StringComparer.Ordinal);
string[] benchmarkArgs = [.. args.Where(arg => arg != QuickFlag)];
IConfig? config = quick ? DefaultConfig.Instance.AddJob(Job.ShortRun.WithId("Quick")) : null;

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(benchmarkArgs, config);
bool failed = summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success));
return failed ? 1 : 0;
