import Foundation
import Registry
import Storage

/// The registry as the pages and the API read it: loaded from the store and kept for a few seconds, so a burst of
/// requests costs one read, and an import run by another process shows within the interval. Every figure is
/// computed by the Registry domain (summary, survival groups, overdue list) on the loaded data.
actor RegistryService {
    private let store: any RegistryStore
    private let maximumAge: Duration
    /// Today's date (UTC); tests fix it.
    nonisolated let today: @Sendable () -> CivilDate
    private var cached: (data: RegistryData, at: ContinuousClock.Instant)?

    init(store: any RegistryStore, maximumAge: Duration = .seconds(10),
         today: @escaping @Sendable () -> CivilDate = { CivilDate(utc: Date()) }) {
        self.store = store
        self.maximumAge = maximumAge
        self.today = today
    }

    func data() async throws -> RegistryData {
        if let cached, ContinuousClock.now - cached.at < maximumAge { return cached.data }
        let data = try await store.registryData()
        cached = (data, .now)
        return data
    }
}
