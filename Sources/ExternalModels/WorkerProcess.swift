import CSpawn
import Foundation

/// One running worker: `<command…> serve` in its own process group, with
/// requests on its stdin, responses on its stdout and stderr appended to a
/// log file. alflow holds the only write end of the stdin pipe, so the worker
/// sees end of input — and must exit — whenever alflow goes away, even by
/// `kill -9` (docs/external-models.md §1). All pointer and descriptor code of
/// the module lives here.
/// `@unchecked`: a worker is used by one stage at a time (the pool hands it
/// out exclusively); `buffer` is touched only by that stage's thread.
final class WorkerProcess: @unchecked Sendable {
    let pid: pid_t
    let log: String
    private var input: Int32
    private let output: Int32
    private var buffer: [UInt8] = []
    private var exitStatus: Int32?

    /// Starts `arguments` (the first is looked up on PATH unless it has a slash) in `directory`.
    init(arguments: [String], directory: String, environment: [String: String], log: String) throws {
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard alflow_pipe_cloexec(&toChild) == 0 else { throw ExternalModelError.cannotStart(arguments, Self.systemMessage()) }
        guard alflow_pipe_cloexec(&fromChild) == 0 else {
            close(toChild[0]); close(toChild[1])
            throw ExternalModelError.cannotStart(arguments, Self.systemMessage())
        }
        let logDescriptor = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        defer {
            close(toChild[0]); close(fromChild[1])
            if logDescriptor >= 0 { close(logDescriptor) }
        }
        guard logDescriptor >= 0 else {
            close(toChild[1]); close(fromChild[0])
            throw ExternalModelError.cannotStart(arguments, "cannot open its log \(log): \(Self.systemMessage())")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        posix_spawn_file_actions_adddup2(&actions, logDescriptor, 2)
        alflow_spawn_addchdir(&actions, directory)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group (the terminal's Ctrl-C reaches alflow only, which
        // then stops the whole group), an empty signal mask and default handlers.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        sigemptyset(&defaults)
        for number in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let variables = environment.map { "\($0.key)=\($0.value)" }
        var child: pid_t = 0
        let status = Self.withCStrings(arguments) { argv in
            Self.withCStrings(variables) { envp in
                posix_spawnp(&child, arguments[0], &actions, &attributes, argv, envp)
            }
        }
        guard status == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw ExternalModelError.cannotStart(arguments, String(cString: strerror(status)))
        }
        pid = child
        input = toChild[1]
        output = fromChild[0]
        self.log = log
    }

    deinit {
        closeInput()
        close(output)
    }

    private func closeInput() {
        if input >= 0 { close(input) }
        input = -1
    }

    /// Sends one line (a newline is appended).
    func send(_ line: String) throws {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Foundation.write(input, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ExternalModelError.workerDied(exitDescription)
            }
            offset += written
        }
    }

    enum LineOutcome { case line(String), timedOut, cancelled, ended }

    /// The next line of stdout, waiting until `deadline`, checking `cancelled` four times a second.
    func receive(until deadline: Date, cancelled: () -> Bool) -> LineOutcome {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return .line(line)
            }
            if cancelled() { return .cancelled }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return .timedOut }
            var descriptor = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(250, max(1, remaining * 1000))))
            if ready < 0, errno != EINTR { return .ended }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return .ended }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// Whether the worker still runs (reaps it if it ended).
    var isRunning: Bool {
        if exitStatus != nil { return false }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { exitStatus = status; return false }
        return result == 0
    }

    /// "exit status 1", "killed by signal 9", or "still running".
    var exitDescription: String {
        guard !isRunning, let status = exitStatus else { return "it stopped answering" }
        let signal = status & 0x7f
        return signal == 0 ? "it exited with status \((status >> 8) & 0xff)" : "it was killed by signal \(signal)"
    }

    /// Closes its input (a worker exits at end of input), then stops its whole
    /// process group: SIGTERM, and SIGKILL after `grace` seconds.
    func stop(grace: Double = 2) {
        closeInput()
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { usleep(20_000) }
        if isRunning { Foundation.kill(-pid, SIGTERM) }
        let hard = Date().addingTimeInterval(grace)
        while isRunning && Date() < hard { usleep(20_000) }
        Foundation.kill(-pid, SIGKILL)
        while isRunning { usleep(5_000) }
    }

    /// Ends it at once (a timeout or an interruption): SIGKILL to its process group.
    func terminateNow() {
        Foundation.kill(-pid, SIGKILL)
        while isRunning { usleep(5_000) }
    }

    private static func systemMessage() -> String { String(cString: strerror(errno)) }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        return body(pointers + [nil])
    }
}
