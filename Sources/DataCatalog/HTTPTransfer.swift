import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP(S) GET into a partial file through URLSession (libcurl on
/// Linux), resuming with `Range: bytes=N-` when the file already holds N
/// bytes. A 206 answer appends; a 200 answer (the server ignored the range)
/// starts the file again. The body streams to disk as it arrives.
final class HTTPTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // `@unchecked`: every mutable field is touched only by URLSession's serial delegate queue,
    // then read by the caller after `done` is signalled.
    enum Outcome {
        case complete
        case failed(String)
    }

    private let partial: String
    private let progress: (Int64, Int64?) -> Void
    private var handle: FileHandle?
    private var written: Int64 = 0
    private var expected: Int64?
    /// Set when the answer was refused or could not be written; it outranks later errors.
    private var refusal: String?
    private var outcome = Outcome.complete
    private let done = DispatchSemaphore(value: 0)

    private init(partial: String, progress: @escaping (Int64, Int64?) -> Void) {
        self.partial = partial
        self.progress = progress
    }

    /// Transfers `url` into `partial` (resuming what it holds); returns how it ended.
    static func run(_ url: URL, into partial: String, timeout: TimeInterval, progress: @escaping (Int64, Int64?) -> Void) -> Outcome {
        let transfer = HTTPTransfer(partial: partial, progress: progress)
        let existing = ((try? FileManager.default.attributesOfItem(atPath: partial))?[.size] as? NSNumber)?.int64Value ?? 0
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        if existing > 0 { request.setValue("bytes=\(existing)-", forHTTPHeaderField: "Range") }
        transfer.written = existing
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: transfer, delegateQueue: queue)
        session.dataTask(with: request).resume()
        transfer.done.wait()
        session.finishTasksAndInvalidate()
        try? transfer.handle?.close()
        return transfer.outcome
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let http = response as? HTTPURLResponse else {
            refusal = "not an HTTP answer"
            return completionHandler(.cancel)
        }
        switch http.statusCode {
        case 206:
            break
        case 200:
            written = 0          // the server sends the whole file
        default:
            refusal = "HTTP \(http.statusCode)"
            return completionHandler(.cancel)
        }
        if written == 0 { _ = FileManager.default.createFile(atPath: partial, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: partial) else {
            refusal = "cannot write \(partial)"
            return completionHandler(.cancel)
        }
        do {
            try handle.truncate(atOffset: UInt64(written))
            try handle.seekToEnd()
        } catch {
            refusal = "cannot write \(partial): \(error)"
            return completionHandler(.cancel)
        }
        self.handle = handle
        let length = http.expectedContentLength
        expected = length >= 0 ? written + length : nil
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        do {
            try handle?.write(contentsOf: data)
            written += Int64(data.count)
            progress(written, expected)
        } catch {
            refusal = "cannot write \(partial): \(error)"
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if let refusal {
            outcome = .failed(refusal)
        } else if let error {
            outcome = .failed(error.localizedDescription)
        } else if let expected, written < expected {
            outcome = .failed("the connection closed after \(written) of \(expected) bytes")
        } else {
            outcome = .complete
        }
        done.signal()
    }
}
