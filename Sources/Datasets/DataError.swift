/// A problem with a data file or with data that does not fit the request:
/// names the file and says what is wrong.
public struct DataError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    public let message: String

    public init(file: String, _ message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): error: \(message)" }
}
