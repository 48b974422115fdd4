import API

/// The whole `/api/v1`. swift-openapi-generator makes one protocol for the document; each area implements its
/// operations in its own type (`TrialsAPI`, `RegistryAPI`, `AnalyticsAPI`) and this forwards to them. A new operation
/// in openapi.yaml gets its forwarder here.
struct PasserelleAPI: APIProtocol {
    let trials: TrialsAPI
    let registry: RegistryAPI
    let analytics = AnalyticsAPI()
    let matching: MatchAPI
    let people: PeopleAPI

    func createSavedSearch(_ input: Operations.CreateSavedSearch.Input) async throws -> Operations.CreateSavedSearch.Output {
        try await people.createSavedSearch(input)
    }

    func createHelpRequest(_ input: Operations.CreateHelpRequest.Input) async throws -> Operations.CreateHelpRequest.Output {
        try await people.createHelpRequest(input)
    }

    func listHelpRequests(_ input: Operations.ListHelpRequests.Input) async throws -> Operations.ListHelpRequests.Output {
        try await people.listHelpRequests(input)
    }

    func updateHelpRequest(_ input: Operations.UpdateHelpRequest.Input) async throws -> Operations.UpdateHelpRequest.Output {
        try await people.updateHelpRequest(input)
    }

    func matchPatient(_ input: Operations.MatchPatient.Input) async throws -> Operations.MatchPatient.Output {
        try await matching.matchPatient(input)
    }

    func searchTrials(_ input: Operations.SearchTrials.Input) async throws -> Operations.SearchTrials.Output {
        try await trials.searchTrials(input)
    }

    func getTrial(_ input: Operations.GetTrial.Input) async throws -> Operations.GetTrial.Output {
        try await trials.getTrial(input)
    }

    func getPortrait(_ input: Operations.GetPortrait.Input) async throws -> Operations.GetPortrait.Output {
        try await trials.getPortrait(input)
    }

    func getRegistrySummary(_ input: Operations.GetRegistrySummary.Input) async throws -> Operations.GetRegistrySummary.Output {
        try await registry.getRegistrySummary(input)
    }

    func getRegistrySurvival(_ input: Operations.GetRegistrySurvival.Input) async throws -> Operations.GetRegistrySurvival.Output {
        try await registry.getRegistrySurvival(input)
    }

    func getOverdueFollowUp(_ input: Operations.GetOverdueFollowUp.Input) async throws -> Operations.GetOverdueFollowUp.Output {
        try await registry.getOverdueFollowUp(input)
    }

    func kaplanMeier(_ input: Operations.KaplanMeier.Input) async throws -> Operations.KaplanMeier.Output {
        try await analytics.kaplanMeier(input)
    }

    func incrementalAnalysis(_ input: Operations.IncrementalAnalysis.Input) async throws -> Operations.IncrementalAnalysis.Output {
        try await analytics.incrementalAnalysis(input)
    }

    func partitionedSurvivalModel(_ input: Operations.PartitionedSurvivalModel.Input) async throws
        -> Operations.PartitionedSurvivalModel.Output
    {
        try await analytics.partitionedSurvivalModel(input)
    }

    func markovModel(_ input: Operations.MarkovModel.Input) async throws -> Operations.MarkovModel.Output {
        try await analytics.markovModel(input)
    }

    func probabilisticAnalysis(_ input: Operations.ProbabilisticAnalysis.Input) async throws
        -> Operations.ProbabilisticAnalysis.Output
    {
        try await analytics.probabilisticAnalysis(input)
    }

    func budgetImpact(_ input: Operations.BudgetImpact.Input) async throws -> Operations.BudgetImpact.Output {
        try await analytics.budgetImpact(input)
    }

    func paymentSchedule(_ input: Operations.PaymentSchedule.Input) async throws -> Operations.PaymentSchedule.Output {
        try await analytics.paymentSchedule(input)
    }
}
