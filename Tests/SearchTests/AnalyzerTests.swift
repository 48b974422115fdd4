import Search
import Testing

@Suite struct AnalyzerTests {
    @Test func elisionDropsFrenchArticles() {
        #expect(TextAnalyzer.indexTerms("l'hôpital d'Alzheimer jusqu'au lorsqu'elle") == ["hopital", "alzheimer"])
        #expect(TextAnalyzer.indexTerms("l’immunothérapie") == ["immunotherapie"])
    }

    @Test func otherApostrophesSplit() {
        #expect(TextAnalyzer.indexTerms("Crohn's disease") == ["crohn", "disease"])
    }

    @Test func caseAndAccentsFold() {
        #expect(TextAnalyzer.indexTerms("Leucémie AIGUË œdème Müller") == ["leucemie", "aigue", "oedeme", "muller"])
        #expect(TextAnalyzer.indexTerms("TNF-α") == ["tnf", "alpha", "tnfalpha"])
    }

    @Test func hyphenatedTokensIndexPartsAndJoinedForm() {
        #expect(TextAnalyzer.indexTerms("CAR-T") == ["car", "t", "cart"])
        #expect(TextAnalyzer.indexTerms("IL-6") == ["il", "6", "il6"])
        #expect(TextAnalyzer.indexTerms("B-cell") == ["b", "cell", "bcell"])
    }

    @Test func alphanumericsStayWhole() {
        #expect(TextAnalyzer.indexTerms("CD19 BRCA1 T2DM") == ["cd19", "brca1", "t2dm"])
    }

    @Test func plusSuffixAddsAVariant() {
        #expect(TextAnalyzer.indexTerms("HER2+ breast") == ["her2", "her2+", "breast"])
    }

    @Test func stopWordsGoButCapitalisedAcronymsStay() {
        #expect(TextAnalyzer.indexTerms("ALL patients with all the cancers") == ["all", "patient", "cancer"])
        #expect(TextAnalyzer.indexTerms("le cancer du sein et des os") == ["cancer", "sein", "os"])
    }

    @Test func englishLightStemming() {
        #expect(
            TextAnalyzer.indexTerms("lymphomas leukemias studies diseases virus lupus analysis")
                == ["lymphoma", "leukemia", "study", "disease", "virus", "lupus", "analysis"])
        #expect(TextAnalyzer.indexTerms("AIDS aids") == ["aids", "aid"])
    }

    @Test func stemmingKeepsMedicallyDistinctWordsApart() {
        let terms = TextAnalyzer.indexTerms("cardiac cardiology lymphocyte lymphoma myeloid myeloma")
        #expect(Set(terms).count == 6)
    }

    @Test func frenchKeysIgnoreNumberAndGender() {
        #expect(TextAnalyzer.keys("lymphomes aiguës", language: .french) == TextAnalyzer.keys("lymphome aigu", language: .french))
        #expect(TextAnalyzer.keys("cellules souches", language: .french) == TextAnalyzer.keys("cellule souche", language: .french))
        #expect(TextAnalyzer.keys("hôpitaux", language: .french) == TextAnalyzer.keys("hôpital", language: .french))
        #expect(TextAnalyzer.keys("cancer du sein", language: .french) == ["cancer", "sein"])
    }

    @Test func foldingIsPublicAndConsistent() {
        #expect(Folding.fold("Montréal QUÉBEC Œuvre") == "montreal quebec oeuvre")
    }
}
