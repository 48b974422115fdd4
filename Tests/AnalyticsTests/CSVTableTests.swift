import Analytics
import Testing

@Suite struct CSVTableTests {
    @Test func parsesQuotedFieldsAndCRLF() throws {
        let table = try CSVTable(parsing: "name,note\r\n\"a, b\",\"say \"\"hi\"\"\"\r\nc,\"two\nlines\"\r\n")
        #expect(table.header == ["name", "note"])
        #expect(table.rows == [["a, b", "say \"hi\""], ["c", "two\nlines"]])
        #expect(table.lines == [2, 3])
    }

    @Test func reportsLineAndColumnOfBadNumbers() throws {
        let table = try CSVTable(parsing: "time,event\n1,1\n2,x\n")
        #expect(throws: CSVTable.ParseError.invalidNumber(line: 3, column: "event", value: "x")) {
            try table.numbers("event")
        }
        #expect(throws: CSVTable.ParseError.missingColumn("group")) { try table.strings("group") }
    }

    @Test func rejectsRaggedRowsAndOpenQuotes() {
        #expect(throws: CSVTable.ParseError.fieldCount(line: 3, expected: 2, actual: 3)) {
            try CSVTable(parsing: "a,b\n1,2\n1,2,3\n")
        }
        #expect(throws: CSVTable.ParseError.unterminatedQuote(line: 2)) { try CSVTable(parsing: "a\n\"open\n") }
    }
}
