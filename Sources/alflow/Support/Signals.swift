import Dispatch
import Execution
import Foundation

/// SIGINT/SIGTERM: the first asks running stages to stop at a safe point
/// (the store stays consistent, exit 130); a second one exits at once
/// (a `tmp/` file may remain; the next run removes it).
enum Signals {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install(_ cancellation: Cancellation) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if cancellation.isCancelled { _exit(130) }
                cancellation.cancel()
                Console.err("\nalflow: interrupted; letting running stages reach a safe point (press again to stop at once)")
            }
            source.resume()
            sources.append(source)
        }
    }
}
