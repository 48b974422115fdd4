import Search
import Testing

@Suite struct LexiconTests {
    @Test func shippedLexiconParsesWithAtLeast500Groups() throws {
        let lexicon = try MedicalLexicon(tsv: Fixture.lexiconText)
        #expect(lexicon.groups.count >= 500)
        #expect(Set(lexicon.groups.map(\.id)).count == lexicon.groups.count)
        let dlbcl = try #require(lexicon.groups.first { $0.id == "dlbcl" })
        #expect(dlbcl.french.contains("lymphome diffus à grandes cellules B"))
        #expect(dlbcl.english.contains("DLBCL"))
    }

    @Test func commentsAndBlankLinesAreSkipped() throws {
        let lexicon = try MedicalLexicon(tsv: "# comment\n\nasthma\tasthma\tasthme\n")
        #expect(lexicon.groups == [MedicalLexicon.Group(id: "asthma", english: ["asthma"], french: ["asthme"])])
    }

    @Test func missingColumnNamesTheLine() {
        let text = "# header\nasthma\tasthma\tasthme\n\ncopd\tCOPD\n"
        #expect(throws: MedicalLexicon.ParseError(line: 4, reason: "expected 3 tab-separated columns (id, English, French), found 2")) {
            try MedicalLexicon(tsv: text)
        }
    }

    @Test func duplicateIdNamesTheSecondLine() {
        #expect(throws: MedicalLexicon.ParseError(line: 2, reason: "duplicate id \"asthma\"")) {
            try MedicalLexicon(tsv: "asthma\tasthma\tasthme\nasthma\tbronchial asthma\tasthme bronchique\n")
        }
    }

    @Test func emptyTermIsRejected() {
        #expect(throws: MedicalLexicon.ParseError(line: 1, reason: "empty French term (stray \"|\")")) {
            try MedicalLexicon(tsv: "asthma\tasthma\tasthme||asthme sévère\n")
        }
    }

    @Test func badIdIsRejected() {
        #expect(throws: MedicalLexicon.ParseError(line: 1, reason: "id \"Asthma\" must be lower-case ASCII letters, digits and \"-\"")) {
            try MedicalLexicon(tsv: "Asthma\tasthma\tasthme\n")
        }
    }

    @Test func stopWordOnlyTermIsRejected() {
        #expect(throws: MedicalLexicon.ParseError(line: 1, reason: "French term \"de la\" has only stop words")) {
            try MedicalLexicon(tsv: "x\tsomething\tde la\n")
        }
    }

    @Test func frenchQueryFindsEnglishOnlyRecordsThroughTheLexicon() throws {
        let withLexicon = try Fixture.index.search(SearchQuery(text: "insuffisance cardiaque"))
        let without = TrialIndex(trials: Fixture.trials, geography: Fixture.geography)
        #expect(try without.search(SearchQuery(text: "insuffisance cardiaque")).total == 0)
        #expect(withLexicon.total >= 2)
        #expect(withLexicon.interpretation.first?.contains("heart failure") == true)
    }
}
