namespace SessionKit;

/// <summary>One word of a message as the in-memory search index sees it.</summary>
/// <param name="Start">The index of the word's first character in the original text.</param>
/// <param name="End">The index just past the word's last character in the original text.</param>
/// <param name="Stem">The word's index key (<see cref="PorterStemmer.Stem"/> of its normalized form).</param>
internal readonly record struct SearchToken(int Start, int End, string Stem);
