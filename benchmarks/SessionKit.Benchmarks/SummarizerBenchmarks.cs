using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SessionKit.Storage;

namespace SessionKit.Benchmarks;

/// <summary>
/// <see cref="ExtractiveSummarizer"/> on one block of <see cref="BlockSize"/> messages (about 3,000 tokens) with a target
/// of <see cref="TargetTokens"/>, against the floor any token-budgeted summarizer pays: counting the block's tokens once.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class SummarizerBenchmarks
{
    /// <summary>One block of <see cref="BlockSize"/> messages.</summary>
    public const string BlockCategory = "10 messages, ~3k tokens";

    /// <summary>Messages per block, as <see cref="ContextOptions.SummaryBlockSize"/>'s default.</summary>
    public const int BlockSize = 10;

    /// <summary>The summary's target, as <see cref="ContextOptions.SummaryTargetTokens"/>'s default.</summary>
    public const int TargetTokens = 160;

    private readonly ExtractiveSummarizer _summarizer = new(SharpTokenCounter.Default);
    private SummarizationRequest? _request;

    /// <summary>The block summarized; empty before the set-up.</summary>
    public IReadOnlyList<SessionMessage> Block { get; private set; } = [];

    /// <summary>Seeds the block (user and assistant turns of 270–330 tokens) and loads the encoding.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var sessionId = Guid.CreateVersion7(DateTimeOffset.UnixEpoch);
        var createdAt = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var messages = SeededConversation.Create(BlockSize, 270, 330, seed: 7);
        Block = [.. messages.Select((message, i) => new SessionMessage
        {
            Id = Guid.CreateVersion7(createdAt.AddSeconds(i)),
            SessionId = sessionId,
            Sequence = i + 1,
            Role = message.Role,
            Content = message.Content,
            CreatedAt = createdAt.AddSeconds(i),
        })];
        _request = new SummarizationRequest { Messages = Block, TargetTokens = TargetTokens };
        _ = SharpTokenCounter.Default.CountTokens(Block[0].Content);
    }

    /// <summary>Baseline: count every message of the block once with <see cref="TokenCounting.CountMessage"/>.</summary>
    /// <returns>The block's tokens.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(BlockCategory)]
    public int CountBlockTokens()
    {
        int tokens = 0;
        foreach (var message in Block)
        {
            tokens += TokenCounting.CountMessage(SharpTokenCounter.Default, message);
        }

        return tokens;
    }

    /// <summary><see cref="ExtractiveSummarizer.SummarizeAsync"/> of the block.</summary>
    /// <returns>The summary.</returns>
    [Benchmark]
    [BenchmarkCategory(BlockCategory)]
    public Task<SummarizationResult> Summarize() =>
        _summarizer.SummarizeAsync(_request ?? throw new InvalidOperationException($"{nameof(Setup)} has not run."));
}
