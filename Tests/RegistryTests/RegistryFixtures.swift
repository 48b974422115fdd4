import Registry

/// A small hand-made registry with known answers, shared by the registry tests.
enum Fixture {
    static func date(_ text: String) -> CivilDate {
        do { return try CivilDate(iso: text) } catch { fatalError("bad fixture date \(text)") }
    }

    static let today = date("2025-06-01")

    /// Six patients, infused on 2024-01-01 unless noted:
    /// - P-A dies on 2024-03-01 (day 60);
    /// - P-B is alive, last seen at a response assessment on 2024-07-01 (day 182), with a visit on 2024-04-10;
    /// - P-C progresses on 2024-02-15 (day 45) and dies on 2024-05-01 (day 121);
    /// - P-D was never infused;
    /// - P-E dies on 2025-02-01, after the 2024-12-31 analysis cut-off; last visit 2024-07-05;
    /// - P-F has a second episode infused on 2024-06-01 with a visit on 2024-09-01 (day 244 from the first).
    static var registry: RegistryData {
        func patient(_ id: String) -> Patient {
            Patient(id: id, birthYear: 1960, sex: .female, region: HealthRegion.all[5])
        }
        func episode(_ id: String, _ patient: String, infusion: String?) -> TreatmentEpisode {
            TreatmentEpisode(id: id, patientId: patient, product: .axicabtageneCiloleucel, indication: .largeBCellLymphoma,
                             centre: "HMR", referralDate: date("2023-11-01"), approvalDate: date("2023-11-10"),
                             apheresisDate: date("2023-11-20"), infusionDate: infusion.map(date),
                             bridging: .chemotherapy, lymphodepletion: infusion == nil ? .none : .fludarabineCyclophosphamide)
        }
        var second = episode("E-F2", "P-F", infusion: "2024-06-01")
        second.referralDate = date("2024-04-01")
        second.approvalDate = date("2024-04-10")
        second.apheresisDate = date("2024-04-20")
        return RegistryData(
            patients: ["P-A", "P-B", "P-C", "P-D", "P-E", "P-F"].map(patient),
            episodes: [episode("E-A", "P-A", infusion: "2024-01-01"), episode("E-B", "P-B", infusion: "2024-01-01"),
                       episode("E-C", "P-C", infusion: "2024-01-01"), episode("E-D", "P-D", infusion: nil),
                       episode("E-E", "P-E", infusion: "2024-01-01"), episode("E-F1", "P-F", infusion: "2024-01-01"), second],
            toxicities: [ToxicityAssessment(episodeId: "E-A", date: date("2024-01-03"), temperatureCelsius: 38.6,
                                            hypotension: .oneVasopressor, encephalopathy: .ice(score: 8), tocilizumab: true)],
            responses: [ResponseAssessment(episodeId: "E-B", date: date("2024-01-29"), category: .partialResponse),
                        ResponseAssessment(episodeId: "E-B", date: date("2024-07-01"), category: .completeResponse),
                        ResponseAssessment(episodeId: "E-C", date: date("2024-02-15"), category: .progressiveDisease)],
            visits: [VisitRecord(episodeId: "E-B", date: date("2024-04-10")), VisitRecord(episodeId: "E-E", date: date("2024-07-05")),
                     VisitRecord(episodeId: "E-F2", date: date("2024-09-01"))],
            deaths: [DeathRecord(patientId: "P-A", date: date("2024-03-01"), cause: .cytokineReleaseSyndrome),
                     DeathRecord(patientId: "P-C", date: date("2024-05-01"), cause: .diseaseProgression),
                     DeathRecord(patientId: "P-E", date: date("2025-02-01"), cause: .infection)],
            costs: [CostRecord(id: "C-1", episodeId: "E-A", category: .acquisition, amountCents: 48_500_000,
                               date: date("2024-01-01"))]
        )
    }
}
