/// What Tab completion asks for: the word before the cursor and the text in front of it (so a
/// completer can tell a command name from its arguments).
public struct CompletionRequest: Hashable, Sendable {
    /// The line up to the start of the word being completed (`"dial "`).
    public var lineBeforeWord: String
    /// The partial word before the cursor (`"/ip4/1"`); empty after a space.
    public var word: String
}

/// A run of Tabs over the same matches: the word as typed, where it starts, and which match shows.
struct CompletionCycle: Hashable, Sendable {
    var wordStart: Int
    var matches: [String]
    /// nil until the first Tab that cycles (the first Tab may only extend to the common prefix).
    var shown: Int?
}

extension LineEditor {
    /// Tab: completes the word before the cursor from the candidates `completer` returns (only those
    /// that start with the word count). One match replaces the word; several extend it to their
    /// longest common prefix, and once the prefix is reached each further Tab shows the next match
    /// in turn, wrapping around. Returns whether the line changed.
    @discardableResult
    public mutating func complete(using completer: (CompletionRequest) -> [String]) -> Bool {
        if var cycle = completion {
            let next = ((cycle.shown ?? -1) + 1) % cycle.matches.count
            cycle.shown = next
            replaceWord(from: cycle.wordStart, with: cycle.matches[next])
            completion = cycle
            return true
        }
        var wordStart = cursor
        while wordStart > 0, characters[wordStart - 1] != " " { wordStart -= 1 }
        let word = String(characters[wordStart..<cursor])
        let request = CompletionRequest(lineBeforeWord: String(characters[..<wordStart]), word: word)
        var seen = Set<String>()
        let matches = completer(request).filter { $0.hasPrefix(word) && seen.insert($0).inserted }
        guard let first = matches.first else { return false }
        if matches.count == 1 {
            replaceWord(from: wordStart, with: first)
            return first != word
        }
        let prefix = matches.dropFirst().reduce(first) { Self.commonPrefix($0, $1) }
        if prefix.count > word.count {
            replaceWord(from: wordStart, with: prefix)
            completion = CompletionCycle(wordStart: wordStart, matches: matches, shown: nil)
            return true
        }
        replaceWord(from: wordStart, with: matches[0])
        completion = CompletionCycle(wordStart: wordStart, matches: matches, shown: 0)
        return true
    }

    /// Replaces the text between `start` and the cursor, leaving the completion cycle alone.
    private mutating func replaceWord(from start: Int, with word: String) {
        let replacement = Array(word.filter(Self.isInsertable))
        characters = Array(characters[..<start]) + replacement + Array(characters[cursor...])
        cursor = start + replacement.count
    }

    static func commonPrefix(_ a: String, _ b: String) -> String {
        String(zip(a, b).prefix { $0 == $1 }.map(\.0))
    }
}
