import Foundation
/// A value in canonical form: the only thing alflow ever hashes.
///
/// Encoding (hashing version 1), every value self-delimiting:
///
/// | value | bytes |
/// |---|---|
/// | null | `00` |
/// | bool | `01` then `00` or `01` |
/// | integer | `02` then 8 bytes, big-endian two's complement |
/// | double | `03` then the 8-byte big-endian IEEE-754 bit pattern, after two rules: −0.0 is encoded as +0.0 (they are equal as parameters), and every NaN as the quiet NaN `7FF8000000000000` |
/// | string | `04`, UTF-8 byte count as 8 bytes big-endian, the bytes |
/// | bytes | `05`, byte count, the bytes |
/// | list | `06`, element count, each element |
/// | map | `07`, entry count, then (key as a string, value) for each entry in ascending order of the keys' UTF-8 bytes |
///
/// Because every string carries its length, `["ab","c"]` and `["a","bc"]`
/// differ; because maps are sorted, their order of insertion never matters.
/// Integers and doubles are distinct types (`1` ≠ `1.0`); workflow values
/// are converted to their declared type first, so `lr: 1` and `lr: 1.0`
/// agree. Never Swift's `Hasher`/`hashValue`, which is seeded per process.
public indirect enum CanonicalValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case list([CanonicalValue])
    case map([String: CanonicalValue])

    public static func int(_ value: Int) -> CanonicalValue { .integer(Int64(value)) }

    /// The canonical bytes.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    public func encode(into out: inout [UInt8]) {
        switch self {
        case .null:
            out.append(0x00)
        case .bool(let value):
            out += [0x01, value ? 1 : 0]
        case .integer(let value):
            out.append(0x02)
            Self.appendBigEndian(UInt64(bitPattern: value), to: &out)
        case .double(let value):
            out.append(0x03)
            Self.appendBigEndian(Self.canonicalBits(value), to: &out)
        case .string(let value):
            out.append(0x04)
            Self.appendLengthPrefixed(Array(value.utf8), to: &out)
        case .bytes(let value):
            out.append(0x05)
            Self.appendLengthPrefixed(value, to: &out)
        case .list(let items):
            out.append(0x06)
            Self.appendBigEndian(UInt64(items.count), to: &out)
            for item in items { item.encode(into: &out) }
        case .map(let entries):
            out.append(0x07)
            Self.appendBigEndian(UInt64(entries.count), to: &out)
            for key in entries.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
                CanonicalValue.string(key).encode(into: &out)
                entries[key]?.encode(into: &out)
            }
        }
    }

    /// The documented rule for doubles: −0.0 → +0.0, every NaN → one quiet NaN.
    public static func canonicalBits(_ value: Double) -> UInt64 {
        if value.isNaN { return 0x7FF8_0000_0000_0000 }
        if value == 0 { return 0 }
        return value.bitPattern
    }

    static func appendBigEndian(_ value: UInt64, to out: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    static func appendLengthPrefixed(_ bytes: [UInt8], to out: inout [UInt8]) {
        appendBigEndian(UInt64(bytes.count), to: &out)
        out += bytes
    }
}

extension CanonicalValue {
    /// Canonical JSON text of the value (sorted keys, no spaces, doubles by
    /// their shortest round-trip form), for storing parameters readably.
    public var json: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .integer(let value): return String(value)
        case .double(let value):
            if value.isNaN { return "\"NaN\"" }
            if value.isInfinite { return value > 0 ? "\"Infinity\"" : "\"-Infinity\"" }
            return value == 0 ? "0.0" : "\(value)"
        case .string(let value): return Self.quote(value)
        case .bytes(let value): return Self.quote(value.map { String(format: "%02x", $0) }.joined())
        case .list(let items): return "[" + items.map(\.json).joined(separator: ",") + "]"
        case .map(let entries):
            let keys = entries.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            return "{" + keys.map { Self.quote($0) + ":" + (entries[$0]?.json ?? "null") }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
