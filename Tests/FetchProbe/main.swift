import DataCatalog
import Foundation

// A test helper run as a separate process by DataCatalogTests, so that two
// processes fetch the same file at once:
//   FetchProbe STORE NAME MD5 URL   fetch one file; prints its path
// Exit codes: 0 fetched, 3 the fetch failed (message on stderr), 64 usage.
let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 4 else {
    FileHandle.standardError.write(Data("usage: FetchProbe STORE NAME MD5 URL\n".utf8))
    exit(64)
}
let file = DataFile(arguments[1], size: nil, md5: arguments[2], urls: [arguments[3]])
do {
    let path = try DataFetcher(storeRoot: arguments[0], mirror: nil, offline: false).fetch(file, of: "probe")
    print(path)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(3)
}
