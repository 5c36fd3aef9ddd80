import ArtifactStore
import Foundation
import HDF5

// A test helper run as a separate process by ArtifactStoreTests:
//   StoreProbe publish STORE KEY ELEMENTS        publish an object of ELEMENTS floats
//   StoreProbe race STORE KEY ELEMENTS           under the key's lock: read it, or publish it if missing
//   StoreProbe limited STORE KEY ELEMENTS BYTES  publish with the file-size limit set to BYTES
// Exit codes: 0 done, 3 the store reported an error (message on stderr), 64 usage.

func content(_ elements: Int, key: String) -> ArtifactContent {
    let seed = Float(key.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) % 1000 })
    let values = (0..<elements).map { Float($0 % 977) * 0.5 + seed }
    return ArtifactContent(arrays: ["values": HDF5Array(values)], attributes: ["note": .string("probe")])
}

func header(_ key: String) -> ArtifactHeader {
    ArtifactHeader(kind: "probe", key: key, parameters: "{}", inputs: [], alflowVersion: "test", created: Timestamp.now(),
                   blasCore: "", blasConfiguration: "", computeSeconds: 0)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 4, let elements = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: StoreProbe publish|race|limited STORE KEY ELEMENTS [BYTES]\n".utf8))
    exit(64)
}
let (command, root, key) = (arguments[0], arguments[1], arguments[2])
do {
    if command == "limited", arguments.count >= 5, let bytes = UInt64(arguments[4]) {
        signal(SIGXFSZ, SIG_IGN)            // a write past the limit then fails with EFBIG
        var limit = rlimit(rlim_cur: rlim_t(bytes), rlim_max: rlim_t(bytes))
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit)
    }
    let store = try ArtifactStore(root: root, alflowVersion: "test")
    switch command {
    case "publish", "limited":
        try store.publish(header(key), content(elements, key: key))
        print("published")
    case "race":
        let held = try store.lock(key)
        if case .hit = try store.read(key) {
            print("read")
        } else {
            Thread.sleep(forTimeInterval: 0.2)   // widen the window for the other process
            try store.publish(header(key), content(elements, key: key))
            print("published")
        }
        held.release()
    default:
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(3)
}
