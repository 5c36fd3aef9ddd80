/// Turns any `Encodable` value into its `CanonicalValue`: structs and
/// enums become maps of their coded fields, arrays lists, optionals null
/// when absent. Stage specifications are hashed through it, so a field a
/// stage can read is in its key by construction — no list to keep in step.
///
/// Integers of every width become `.integer`, floating-point numbers
/// `.double` (a `Float` through its exact `Double` value), strings `.string`.
public enum CanonicalEncoder {
    public static func encode(_ value: some Encodable) throws -> CanonicalValue {
        let root = Node()
        try value.encode(to: Encoder(node: root, codingPath: []))
        return root.value
    }

    /// A slot being filled while encoding.
    final class Node {
        enum Content { case empty, leaf(CanonicalValue), map([String: Node]), list([Node]) }
        var content = Content.empty

        var value: CanonicalValue {
            switch content {
            case .empty: return .null
            case .leaf(let value): return value
            case .map(let children): return .map(children.mapValues(\.value))
            case .list(let children): return .list(children.map(\.value))
            }
        }

        func child(_ key: String) -> Node {
            var children: [String: Node] = [:]
            if case .map(let existing) = content { children = existing }
            let node = children[key] ?? Node()
            children[key] = node
            content = .map(children)
            return node
        }

        func append() -> Node {
            var children: [Node] = []
            if case .list(let existing) = content { children = existing }
            let node = Node()
            children.append(node)
            content = .list(children)
            return node
        }
    }

    struct Encoder: Swift.Encoder {
        let node: Node
        let codingPath: [CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if case .empty = node.content { node.content = .map([:]) }
            return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
        }

        func unkeyedContainer() -> UnkeyedEncodingContainer {
            if case .empty = node.content { node.content = .list([]) }
            return Unkeyed(node: node, codingPath: codingPath)
        }

        func singleValueContainer() -> SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        let codingPath: [CodingKey]

        mutating func encodeNil(forKey key: Key) throws { node.child(key.stringValue).content = .leaf(.null) }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try value.encode(to: Encoder(node: node.child(key.stringValue), codingPath: codingPath + [key]))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            Encoder(node: node.child(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
            Encoder(node: node.child(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
        }

        mutating func superEncoder() -> Swift.Encoder { Encoder(node: node.child("super"), codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> Swift.Encoder { Encoder(node: node.child(key.stringValue), codingPath: codingPath + [key]) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        let codingPath: [CodingKey]
        var count: Int {
            if case .list(let children) = node.content { return children.count }
            return 0
        }

        mutating func encodeNil() throws { node.append().content = .leaf(.null) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            try value.encode(to: Encoder(node: node.append(), codingPath: codingPath))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            Encoder(node: node.append(), codingPath: codingPath).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
            Encoder(node: node.append(), codingPath: codingPath).unkeyedContainer()
        }

        mutating func superEncoder() -> Swift.Encoder { Encoder(node: node.append(), codingPath: codingPath) }
    }

    struct Single: SingleValueEncodingContainer {
        let node: Node
        let codingPath: [CodingKey]

        mutating func encodeNil() throws { node.content = .leaf(.null) }
        mutating func encode(_ value: Bool) throws { node.content = .leaf(.bool(value)) }
        mutating func encode(_ value: String) throws { node.content = .leaf(.string(value)) }
        mutating func encode(_ value: Double) throws { node.content = .leaf(.double(value)) }
        mutating func encode(_ value: Float) throws { node.content = .leaf(.double(Double(value))) }
        mutating func encode(_ value: Int) throws { node.content = .leaf(.integer(Int64(value))) }
        mutating func encode(_ value: Int8) throws { node.content = .leaf(.integer(Int64(value))) }
        mutating func encode(_ value: Int16) throws { node.content = .leaf(.integer(Int64(value))) }
        mutating func encode(_ value: Int32) throws { node.content = .leaf(.integer(Int64(value))) }
        mutating func encode(_ value: Int64) throws { node.content = .leaf(.integer(value)) }
        mutating func encode(_ value: UInt) throws { node.content = .leaf(.integer(Int64(bitPattern: UInt64(value)))) }
        mutating func encode(_ value: UInt8) throws { node.content = .leaf(.integer(Int64(value))) }
        mutating func encode(_ value: UInt16) throws { node.content = .leaf(.integer(Int64(value))) }
        mutating func encode(_ value: UInt32) throws { node.content = .leaf(.integer(Int64(value))) }
        mutating func encode(_ value: UInt64) throws { node.content = .leaf(.integer(Int64(bitPattern: value))) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            try value.encode(to: Encoder(node: node, codingPath: codingPath))
        }
    }
}
