/// "Did you mean …?" hints: the candidate closest to a misspelt name by
/// Levenshtein distance, when it is close enough to be a plausible typo.
public enum Suggestion {
    /// The closest candidate (case-insensitive), or nil if none is within
    /// max(2, ⌊length/3⌋) edits.
    public static func closest(to name: String, among candidates: [String]) -> String? {
        let target = name.lowercased()
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(candidate.lowercased(), target)
            if distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
        }
        guard let (candidate, distance) = best, distance <= max(2, name.count / 3), distance < name.count else { return nil }
        return candidate
    }

    /// Levenshtein distance between two strings (by characters).
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
