import Testing
import Workflows

@Suite struct YAMLParserTests {
    @Test func nodesCarryLineAndColumn() throws {
        let text = """
        name: demo
        seeds: [0, 1]
        model:
          mlp: {hidden: [64]}
        quoted: "42"
        """
        let root = try #require(try YAMLParser.parse(text, file: "w.yaml"))
        guard case .mapping(let entries) = root.content else { Issue.record("root is not a mapping"); return }
        #expect(entries.map { $0.key.scalar } == ["name", "seeds", "model", "quoted"])
        #expect(entries[0].value.location == SourceLocation(file: "w.yaml", line: 1, column: 7))
        guard case .sequence(let seeds) = entries[1].value.content else { Issue.record("seeds"); return }
        #expect(seeds.map { $0.location.column } == [9, 12])
        guard case .mapping(let model) = entries[2].value.content else { Issue.record("model"); return }
        #expect(model[0].key.location == SourceLocation(file: "w.yaml", line: 4, column: 3))
        #expect(entries[3].value.isPlainScalar == false)
        #expect(entries[0].value.isPlainScalar)
    }

    @Test func syntaxErrorHasPosition() {
        let text = "name: demo\nseeds: [0, 1\nmodel: x\n"
        let error = #expect(throws: YAMLError.self) { _ = try YAMLParser.parse(text, file: "bad.yaml") }
        #expect(error?.location.file == "bad.yaml")
        #expect(error?.location.line == 3)
        #expect(error?.message.contains("YAML syntax") == true)
    }

    @Test func emptyStreamIsNil() throws {
        #expect(try YAMLParser.parse("", file: "e.yaml") == nil)
        #expect(try YAMLParser.parse("# only a comment\n", file: "e.yaml") == nil)
    }

    @Test func aliasesExpandWithinBudget() throws {
        let text = "base: &b {lr: 1}\ncopy: *b\n"
        let root = try #require(try YAMLParser.parse(text, file: "a.yaml"))
        guard case .mapping(let entries) = root.content, case .mapping(let copy) = entries[1].value.content else {
            Issue.record("shape"); return
        }
        #expect(copy.first?.key.scalar == "lr")
    }
}
