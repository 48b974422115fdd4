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
        #expect(throws: MedicalLexicon.ParseError(line: 4, reason: "expected 3 or 4 tab-separated columns (id, English, French, broader ids), found 2")) {
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

    /// The fourth column links a group to broader ones, declared before or after it; ancestors are transitive.
    @Test func broaderColumnGivesTransitiveAncestors() throws {
        let lexicon = try MedicalLexicon(tsv: """
            dlbcl\tdiffuse large B-cell lymphoma\tlymphome diffus à grandes cellules B\tb-cell-lymphoma
            b-cell-lymphoma\tB-cell lymphoma\tlymphome B\tnhl|lymphoma
            nhl\tnon-Hodgkin lymphoma\tlymphome non hodgkinien\tlymphoma
            lymphoma\tlymphoma\tlymphome
            """)
        let index = Dictionary(uniqueKeysWithValues: lexicon.groups.enumerated().map { ($1.id, $0) })
        let ids = { (group: String) in Set(lexicon.ancestors(of: index[group]!).map { lexicon.groups[$0].id }) }
        #expect(ids("dlbcl") == ["b-cell-lymphoma", "nhl", "lymphoma"])
        #expect(ids("b-cell-lymphoma") == ["nhl", "lymphoma"])
        #expect(ids("lymphoma").isEmpty)
        #expect(lexicon.groups[index["b-cell-lymphoma"]!].broader == ["nhl", "lymphoma"])
    }

    @Test func unknownBroaderIdNamesTheLine() {
        #expect(throws: MedicalLexicon.ParseError(line: 2, reason: "unknown broader id \"lymphom\"")) {
            try MedicalLexicon(tsv: "lymphoma\tlymphoma\tlymphome\nnhl\tNHL\tLNH\tlymphom\n")
        }
        #expect(throws: MedicalLexicon.ParseError(line: 1, reason: "empty broader id (stray \"|\")")) {
            try MedicalLexicon(tsv: "nhl\tNHL\tLNH\t\n")
        }
    }

    @Test func broaderCycleNamesALineOfTheCycle() {
        let text = "# header\nlymphoma\tlymphoma\tlymphome\tnhl\nnhl\tNHL\tLNH\tb-cell\nb-cell\tB-cell lymphoma\tlymphome B\tlymphoma\n"
        #expect(throws: MedicalLexicon.ParseError(line: 2, reason: "broader links of \"lymphoma\" form a cycle")) {
            try MedicalLexicon(tsv: text)
        }
        #expect(throws: MedicalLexicon.ParseError(line: 1, reason: "broader links of \"x\" form a cycle")) {
            try MedicalLexicon(tsv: "x\tsomething\tquelque chose\tx\n")
        }
    }

    /// The shipped hierarchy: a subtype reaches its disease family, a drug its class.
    @Test func shippedLexiconLinksSubtypesAndDrugClasses() throws {
        let lexicon = try MedicalLexicon(tsv: Fixture.lexiconText)
        let index = Dictionary(uniqueKeysWithValues: lexicon.groups.enumerated().map { ($1.id, $0) })
        func ancestors(_ id: String) -> Set<String> { Set(lexicon.ancestors(of: index[id]!).map { lexicon.groups[$0].id }) }
        #expect(ancestors("dlbcl").isSuperset(of: ["b-cell-lymphoma", "nhl", "lymphoma", "blood-cancer"]))
        #expect(ancestors("aml").isSuperset(of: ["leukemia", "blood-cancer"]))
        #expect(ancestors("ibrutinib").contains("btk"))
        #expect(ancestors("pembrolizumab").isSuperset(of: ["pd-1", "checkpoint-inhibitor"]))
        #expect(ancestors("type-2-diabetes").contains("diabetes"))
        #expect(!ancestors("lymphoma").contains("dlbcl"))
    }

    @Test func searchIgnoresTheHierarchy() throws {
        let flat = Fixture.lexiconText.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.split(separator: "\t", omittingEmptySubsequences: false).prefix(3).joined(separator: "\t")
        }.joined(separator: "\n")
        let withHierarchy = TrialIndex(trials: Fixture.trials, lexicon: try MedicalLexicon(tsv: Fixture.lexiconText), geography: Fixture.geography)
        let without = TrialIndex(trials: Fixture.trials, lexicon: try MedicalLexicon(tsv: flat), geography: Fixture.geography)
        for text in ["lymphome diffus à grandes cellules B", "ibrutinib", "diabète de type 2"] {
            #expect(try withHierarchy.search(SearchQuery(text: text)) == without.search(SearchQuery(text: text)), "\(text)")
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
