import Foundation

/// Wall-clock timing: a warm-up run, then the median of `repeats` runs.
enum Measure {
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    static func minimum(repeats: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()
        var best = Double.infinity
        for _ in 0..<max(1, repeats) {
            let start = now()
            try body()
            best = min(best, now() - start)
        }
        return best
    }

    static func median(repeats: Int, warmUp: Bool = true, _ body: () throws -> Void) rethrows -> Double {
        if warmUp { try body() }
        var times: [Double] = []
        for _ in 0..<max(1, repeats) {
            let start = now()
            try body()
            times.append(now() - start)
        }
        times.sort()
        return times[times.count / 2]
    }
}

/// One result line, printed as JSON for bench/compare.py.
struct BenchResult: Encodable {
    let name: String
    let seconds: Double
    let flops: Double?
    let detail: String

    func printJSON() {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let data = try? encoder.encode(self), let line = String(data: data, encoding: .utf8) {
            print(line)
            fflush(nil)
        }
    }
}
