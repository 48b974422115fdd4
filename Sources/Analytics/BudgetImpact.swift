/// Inputs of a budget impact analysis over `years` years (payer perspective, undiscounted,
/// as ISPOR's budget impact good-practice report, Sullivan et al. 2014, recommends).
///
/// Each year y: treated(y) = eligible(y) · uptake(y); the new-scenario spend is
/// treated · (newTherapyCost − costOffset(y)) + (eligible − treated) · currentTherapyCost, the reference
/// spend is eligible · currentTherapyCost, and the budget impact is their difference.
public struct BudgetImpactInput: Codable, Sendable, Equatable {
    /// Horizon in years (≥ 1).
    public var years: Int
    /// Eligible patients in each year (`years` values, ≥ 0).
    public var eligiblePatients: [Double]
    /// Share of eligible patients receiving the new therapy each year (`years` values in [0, 1]).
    public var uptake: [Double]
    /// Cost per treated patient of the new therapy (acquisition and administration) in the year treated.
    public var newTherapyCostPerPatient: Double
    /// Cost per patient of current care, for those not on the new therapy.
    public var currentTherapyCostPerPatient: Double
    /// Savings per treated patient in each year (e.g. avoided hospitalisations); `years` values, or empty for none.
    public var costOffsetPerPatient: [Double]

    public init(years: Int, eligiblePatients: [Double], uptake: [Double], newTherapyCostPerPatient: Double,
                currentTherapyCostPerPatient: Double, costOffsetPerPatient: [Double] = []) {
        self.years = years
        self.eligiblePatients = eligiblePatients
        self.uptake = uptake
        self.newTherapyCostPerPatient = newTherapyCostPerPatient
        self.currentTherapyCostPerPatient = currentTherapyCostPerPatient
        self.costOffsetPerPatient = costOffsetPerPatient
    }

    private enum CodingKeys: String, CodingKey {
        case years, eligiblePatients, uptake, newTherapyCostPerPatient, currentTherapyCostPerPatient, costOffsetPerPatient
    }

    /// Decodes the JSON form; `costOffsetPerPatient` may be omitted (no offset).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(years: try c.decode(Int.self, forKey: .years),
                  eligiblePatients: try c.decode([Double].self, forKey: .eligiblePatients),
                  uptake: try c.decode([Double].self, forKey: .uptake),
                  newTherapyCostPerPatient: try c.decode(Double.self, forKey: .newTherapyCostPerPatient),
                  currentTherapyCostPerPatient: try c.decode(Double.self, forKey: .currentTherapyCostPerPatient),
                  costOffsetPerPatient: try c.decodeIfPresent([Double].self, forKey: .costOffsetPerPatient) ?? [])
    }

    /// - Throws: `AnalyticsError` naming the first invalid field.
    public func validate() throws {
        try Check.count(years, "years")
        try Check.length(eligiblePatients, years, "eligiblePatients")
        try Check.length(uptake, years, "uptake")
        if !costOffsetPerPatient.isEmpty { try Check.length(costOffsetPerPatient, years, "costOffsetPerPatient") }
        for (i, v) in eligiblePatients.enumerated() { try Check.nonNegative(v, "eligiblePatients[\(i)]") }
        for (i, v) in uptake.enumerated() { try Check.probability(v, "uptake[\(i)]") }
        for (i, v) in costOffsetPerPatient.enumerated() { try Check.finite(v, "costOffsetPerPatient[\(i)]") }
        try Check.nonNegative(newTherapyCostPerPatient, "newTherapyCostPerPatient")
        try Check.nonNegative(currentTherapyCostPerPatient, "currentTherapyCostPerPatient")
    }
}

/// One year of a budget impact analysis.
public struct BudgetImpactYear: Codable, Sendable, Equatable {
    public var year: Int
    public var eligible: Double
    public var treated: Double
    public var referenceCost: Double
    public var newScenarioCost: Double
    public var budgetImpact: Double
}

/// Result of a budget impact analysis.
public struct BudgetImpactResult: Codable, Sendable, Equatable {
    public var years: [BudgetImpactYear]
    public var totalBudgetImpact: Double
}

public enum BudgetImpact {
    /// Computes the yearly and total budget impact.
    /// - Throws: `AnalyticsError` from `BudgetImpactInput.validate()`.
    public static func analyse(_ input: BudgetImpactInput) throws -> BudgetImpactResult {
        try input.validate()
        let rows = (0..<input.years).map { y -> BudgetImpactYear in
            let eligible = input.eligiblePatients[y]
            let treated = eligible * input.uptake[y]
            let offset = input.costOffsetPerPatient.isEmpty ? 0 : input.costOffsetPerPatient[y]
            let reference = eligible * input.currentTherapyCostPerPatient
            let scenario = treated * (input.newTherapyCostPerPatient - offset)
                + (eligible - treated) * input.currentTherapyCostPerPatient
            return BudgetImpactYear(year: y + 1, eligible: eligible, treated: treated, referenceCost: reference,
                                    newScenarioCost: scenario, budgetImpact: scenario - reference)
        }
        return BudgetImpactResult(years: rows, totalBudgetImpact: rows.reduce(0) { $0 + $1.budgetImpact })
    }
}
