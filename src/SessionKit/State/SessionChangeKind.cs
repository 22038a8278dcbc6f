namespace SessionKit;

/// <summary>What a <see cref="SessionChange"/> did.</summary>
public enum SessionChangeKind
{
    /// <summary>Messages were appended (<see cref="SessionChange.FromSequence"/>..<see cref="SessionChange.ToSequence"/>).</summary>
    MessagesAppended = 0,

    /// <summary>A message was edited (<see cref="SessionChange.FromSequence"/>).</summary>
    MessageEdited = 1,

    /// <summary>A message was deleted (<see cref="SessionChange.FromSequence"/>).</summary>
    MessageDeleted = 2,

    /// <summary>The session was rewound; everything after <see cref="SessionChange.ToSequence"/> is gone.</summary>
    Rewound = 3,

    /// <summary>The title or metadata changed.</summary>
    SessionUpdated = 4,

    /// <summary>A session-scoped state entry was written (<see cref="SessionChange.StateKey"/>).</summary>
    StateSet = 5,

    /// <summary>A session-scoped state entry was deleted (<see cref="SessionChange.StateKey"/>).</summary>
    StateDeleted = 6,
}
