// The Search module: bilingual analyzers, synonym lexicon, BM25F index, facets and distance (pure domain, no I/O).
// Entry points: TrialIndex (build, add, search), SearchQuery / SearchResults, MedicalLexicon, Geography,
// SearchBenchmark. Design, contracts and measurements: docs/SEARCH.md.
