/// An RFC 4180 reader: comma-separated fields, double-quoted fields with
/// `""` escapes and embedded separators or newlines, LF or CRLF line ends,
/// and a UTF-8 byte-order mark tolerated at the start.
public enum CSVParser {
    public struct Row: Sendable {
        /// 1-based line number where the row starts.
        public let line: Int
        public let fields: [String]
    }

    public static func parse(_ bytes: [UInt8], file: String) throws -> [Row] {
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        var rows: [Row] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var line = 1, rowLine = 1
        var i = start
        var fieldStarted = false

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldStarted = false
        }
        func endRow() {
            endField()
            // A blank line is not a row.
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append(Row(line: rowLine, fields: fields)) }
            fields.removeAll(keepingCapacity: true)
        }

        while i < bytes.count {
            let byte = bytes[i]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: ","):
                    endField()
                case UInt8(ascii: "\n"):
                    endRow()
                    line += 1
                    rowLine = line
                case UInt8(ascii: "\r"):
                    break
                case UInt8(ascii: "\""):
                    if fieldStarted || !field.isEmpty {
                        throw DataError(file: file, "line \(line): a quote inside an unquoted field")
                    }
                    inQuotes = true
                    fieldStarted = true
                default:
                    field.append(byte)
                }
            }
            i += 1
        }
        if inQuotes { throw DataError(file: file, "line \(rowLine): a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty || fieldStarted { endRow() }
        return rows
    }
}
