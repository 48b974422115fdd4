import Analytics

/// The unit of survival times.
public enum TimeScale: String, Codable, Sendable, CaseIterable {
    case days
    /// Months of 365.25 / 12 days.
    case months
    /// Years of 365.25 days.
    case years

    /// Days per unit.
    public var days: Double {
        switch self {
        case .days: 1
        case .months: 365.25 / 12
        case .years: 365.25
        }
    }
}

/// One patient's time-to-event observation, from the infusion of their index episode.
public struct EpisodeSurvival: Codable, Sendable, Equatable {
    /// The index episode: the patient's first infused episode.
    public var episodeId: String
    public var patientId: String
    public var product: CARTProduct
    public var indication: Indication
    /// Time from the index infusion (in the requested `TimeScale`) and whether it ended in the event.
    public var observation: SurvivalObservation
}

/// A scheduled follow-up visit whose window has closed with no visit recorded.
public struct OverdueFollowUp: Codable, Sendable, Equatable {
    public var episodeId: String
    public var patientId: String
    public var centre: String
    public var visit: FollowUpVisit
    /// Days from the window's close to `today`.
    public var daysOverdue: Int
}

/// The worst ASTCT grades recorded for one episode.
public struct PeakToxicity: Codable, Sendable, Equatable {
    public var episodeId: String
    public var crsGrade: Int
    public var icansGrade: Int

    public init(episodeId: String, crsGrade: Int, icansGrade: Int) {
        self.episodeId = episodeId
        self.crsGrade = crsGrade
        self.icansGrade = icansGrade
    }
}

extension RegistryData {
    /// The worst CRS and ICANS grades of each episode that has toxicity assessments, in episode order
    /// (ages for the ICANS screen from the patient's birth year).
    /// - Throws: `RegistryError` for an assessment the ICANS grader rejects (see `validate(asOf:)`).
    public func peakToxicity() throws -> [PeakToxicity] {
        let byEpisode = Dictionary(grouping: toxicities, by: \.episodeId)
        let patientsById = Dictionary(patients.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return try episodes.compactMap { episode in
            guard let assessments = byEpisode[episode.id] else { return nil }
            let patient = patientsById[episode.patientId]
            let icans = try assessments.map { t in
                try t.icansGrade(ageYears: patient.map { Double($0.approximateAge(at: t.date)) })
            }
            return PeakToxicity(episodeId: episode.id, crsGrade: assessments.map(\.crsGrade).max() ?? 0,
                                icansGrade: icans.max() ?? 0)
        }
    }

    /// Overall survival for Kaplan–Meier (`KaplanMeier(result.map(\.observation))`), one row per patient with an
    /// infusion on or before `cutoff`, from their first infusion.
    ///
    /// Event: death on or before `cutoff`. Otherwise censored at `cutoff` if a death after it is recorded
    /// (the patient was alive then), else at the last contact on or before `cutoff`: the latest date among the
    /// patient's episode dates, toxicity and response assessments and visits. Expects valid data
    /// (`validate(asOf:)`); records dated before the index infusion do not count as contacts.
    public func overallSurvival(cutoff: CivilDate, scale: TimeScale = .months) -> [EpisodeSurvival] {
        let deaths = deathsByPatient
        return survival(cutoff: cutoff, scale: scale) { patient, _ in
            guard let death = deaths[patient] else { return nil }
            return death.date <= cutoff ? (death.date, true) : (cutoff, false)
        }
    }

    /// Progression-free survival for Kaplan–Meier, one row per patient as in `overallSurvival`.
    ///
    /// Event: the earlier of the first `PD` response assessment after the index infusion (any of the patient's
    /// episodes) and death, when on or before `cutoff`. Otherwise censored at the last contact on or before
    /// `cutoff` (as for overall survival).
    public func progressionFreeSurvival(cutoff: CivilDate, scale: TimeScale = .months) -> [EpisodeSurvival] {
        let patientOfEpisode = Dictionary(episodes.map { ($0.id, $0.patientId) }, uniquingKeysWith: { first, _ in first })
        var progressions: [String: [CivilDate]] = [:]
        for r in responses where r.category == .progressiveDisease {
            if let patient = patientOfEpisode[r.episodeId] { progressions[patient, default: []].append(r.date) }
        }
        let deaths = deathsByPatient
        return survival(cutoff: cutoff, scale: scale) { patient, infusion in
            let firstPD = progressions[patient]?.filter { $0 >= infusion }.min()
            let event = [firstPD, deaths[patient]?.date].compactMap { $0 }.min()
            return event.flatMap { $0 <= cutoff ? ($0, true) : nil }
        }
    }

    /// The follow-up visits overdue on `today` for every infused episode (see `FollowUpSchedule.status`),
    /// matched against the episode's `visits`. A visit whose window closes after the patient's death is not
    /// owed and is left out; visits missed before the death stay listed (data to recover).
    /// Ordered by centre, window close, then episode.
    /// - Throws: `RegistryError` if `schedule` is invalid.
    public func overdueFollowUp(asOf today: CivilDate, schedule: FollowUpSchedule = FollowUpSchedule()) throws -> [OverdueFollowUp] {
        let recorded = Dictionary(grouping: visits, by: \.episodeId)
        let deaths = deathsByPatient
        var overdue: [OverdueFollowUp] = []
        for episode in episodes {
            guard let infusion = episode.infusionDate, infusion <= today else { continue }
            let death = deaths[episode.patientId]?.date
            let items = try schedule.status(infusion: infusion, recorded: (recorded[episode.id] ?? []).map(\.date), today: today)
            for item in items where item.status == .overdue {
                if let death, item.visit.windowCloses > death { continue }
                overdue.append(OverdueFollowUp(episodeId: episode.id, patientId: episode.patientId, centre: episode.centre,
                                               visit: item.visit, daysOverdue: item.visit.windowCloses.days(to: today)))
            }
        }
        return overdue.sorted {
            ($0.centre, $0.visit.windowCloses, $0.episodeId) < ($1.centre, $1.visit.windowCloses, $1.episodeId)
        }
    }

    /// The best response recorded for an episode (CR better than PR, SD, PD); `nil` without assessments.
    public func bestResponse(episodeId: String) -> ResponseCategory? {
        responses.filter { $0.episodeId == episodeId }.map(\.category).min()
    }

    private var deathsByPatient: [String: DeathRecord] {
        Dictionary(deaths.map { ($0.patientId, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// One observation per patient from the first infusion on or before `cutoff`; `event` gives the end date and
    /// whether it is an event, or `nil` to censor at the last contact.
    private func survival(cutoff: CivilDate, scale: TimeScale,
                          event: (_ patientId: String, _ infusion: CivilDate) -> (CivilDate, Bool)?) -> [EpisodeSurvival] {
        let byPatient = Dictionary(grouping: episodes, by: \.patientId)
        var contacts: [String: [CivilDate]] = [:]
        let patientOfEpisode = Dictionary(episodes.map { ($0.id, $0.patientId) }, uniquingKeysWith: { first, _ in first })
        func contact(_ episodeId: String, _ date: CivilDate) {
            if let patient = patientOfEpisode[episodeId] { contacts[patient, default: []].append(date) }
        }
        for t in toxicities { contact(t.episodeId, t.date) }
        for r in responses { contact(r.episodeId, r.date) }
        for v in visits { contact(v.episodeId, v.date) }
        for e in episodes {
            for date in [e.referralDate, e.approvalDate, e.apheresisDate, e.infusionDate].compactMap({ $0 }) {
                contacts[e.patientId, default: []].append(date)
            }
        }
        return patients.compactMap { patient -> EpisodeSurvival? in
            let infused = (byPatient[patient.id] ?? []).filter { $0.infusionDate.map { $0 <= cutoff } ?? false }
            guard let index = infused.min(by: { $0.infusionDate! < $1.infusionDate! }), let infusion = index.infusionDate
            else { return nil }
            let end: (date: CivilDate, event: Bool)
            if let known = event(patient.id, infusion) {
                end = known
            } else {
                let last = (contacts[patient.id] ?? []).filter { $0 >= infusion && $0 <= cutoff }.max() ?? infusion
                end = (last, false)
            }
            let time = Double(infusion.days(to: end.date)) / scale.days
            return EpisodeSurvival(episodeId: index.id, patientId: patient.id, product: index.product,
                                   indication: index.indication, observation: SurvivalObservation(time: time, event: end.event))
        }
    }
}
