/// The published figures a synthetic episode is drawn from, for one product in one indication.
/// Sources and the calibration are in docs/REGISTRY.md ("Synthetic cohort").
struct ProductProfile: Sendable {
    var product: CARTProduct
    var indication: Indication
    /// Share of the cohort's episodes.
    var share: Double
    var medianAge: Double
    var ageSD: Double
    var ageRange: ClosedRange<Double>
    var maleShare: Double
    /// Enrolled but never infused (1 − infused/enrolled in the pivotal trial).
    var dropout: Double
    /// Median days from apheresis to infusion.
    var veinToVeinDays: Double
    /// CRS of any grade and of grade ≥ 3 (as reported by the trial).
    var crsAny: Double
    var crsSevere: Double
    /// Usual day of the CRS peak after infusion.
    var crsPeakDay: Int
    var icansAny: Double
    var icansSevere: Double
    /// Best response probabilities (PD is the rest).
    var completeResponse: Double
    var partialResponse: Double
    var stableDisease: Double
    /// Share of all infused patients who never progress (the plateau), drawn among complete responders.
    var plateau: Double
    /// Mean months to progression, after a first month, for complete and partial responders who relapse.
    var relapseMonthsAfterCR: Double
    var relapseMonthsAfterPR: Double
    /// Median months from progression to death.
    var postProgressionMedianMonths: Double
    /// Probability of a death without progression in the first year (non-relapse mortality).
    var nonRelapseMortality: Double
    /// Demo acquisition price in CAD.
    var priceCAD: Int
}

extension ProductProfile {
    /// ZUMA-1, JULIET, ELIANA, TRANSCEND NHL 001, ZUMA-2, KarMMa and CARTITUDE-1 (docs/REGISTRY.md).
    static let all: [ProductProfile] = [
        ProductProfile(product: .axicabtageneCiloleucel, indication: .largeBCellLymphoma, share: 0.30,
                       medianAge: 58, ageSD: 10, ageRange: 23...80, maleShare: 0.67, dropout: 0.09, veinToVeinDays: 24,
                       crsAny: 0.93, crsSevere: 0.13, crsPeakDay: 2, icansAny: 0.64, icansSevere: 0.28,
                       completeResponse: 0.54, partialResponse: 0.28, stableDisease: 0.07, plateau: 0.36,
                       relapseMonthsAfterCR: 9, relapseMonthsAfterPR: 4, postProgressionMedianMonths: 10,
                       nonRelapseMortality: 0.04, priceCAD: 485_000),
        ProductProfile(product: .tisagenlecleucel, indication: .largeBCellLymphoma, share: 0.15,
                       medianAge: 56, ageSD: 11, ageRange: 22...80, maleShare: 0.64, dropout: 0.33, veinToVeinDays: 45,
                       crsAny: 0.58, crsSevere: 0.22, crsPeakDay: 3, icansAny: 0.21, icansSevere: 0.12,
                       completeResponse: 0.40, partialResponse: 0.12, stableDisease: 0.13, plateau: 0.30,
                       relapseMonthsAfterCR: 8, relapseMonthsAfterPR: 3, postProgressionMedianMonths: 4.5,
                       nonRelapseMortality: 0.03, priceCAD: 450_000),
        ProductProfile(product: .tisagenlecleucel, indication: .bCellAcuteLymphoblasticLeukaemia, share: 0.05,
                       medianAge: 11, ageSD: 5, ageRange: 3...25, maleShare: 0.57, dropout: 0.18, veinToVeinDays: 40,
                       crsAny: 0.77, crsSevere: 0.46, crsPeakDay: 3, icansAny: 0.40, icansSevere: 0.13,
                       completeResponse: 0.81, partialResponse: 0, stableDisease: 0.05, plateau: 0.45,
                       relapseMonthsAfterCR: 8, relapseMonthsAfterPR: 3, postProgressionMedianMonths: 12,
                       nonRelapseMortality: 0.04, priceCAD: 450_000),
        ProductProfile(product: .lisocabtageneMaraleucel, indication: .largeBCellLymphoma, share: 0.12,
                       medianAge: 63, ageSD: 10, ageRange: 22...82, maleShare: 0.65, dropout: 0.22, veinToVeinDays: 37,
                       crsAny: 0.42, crsSevere: 0.02, crsPeakDay: 5, icansAny: 0.30, icansSevere: 0.10,
                       completeResponse: 0.53, partialResponse: 0.20, stableDisease: 0.10, plateau: 0.38,
                       relapseMonthsAfterCR: 9, relapseMonthsAfterPR: 4, postProgressionMedianMonths: 9,
                       nonRelapseMortality: 0.03, priceCAD: 485_000),
        ProductProfile(product: .brexucabtageneAutoleucel, indication: .mantleCellLymphoma, share: 0.06,
                       medianAge: 65, ageSD: 8, ageRange: 38...80, maleShare: 0.84, dropout: 0.08, veinToVeinDays: 24,
                       crsAny: 0.91, crsSevere: 0.15, crsPeakDay: 2, icansAny: 0.63, icansSevere: 0.31,
                       completeResponse: 0.67, partialResponse: 0.26, stableDisease: 0.03, plateau: 0.30,
                       relapseMonthsAfterCR: 45, relapseMonthsAfterPR: 12, postProgressionMedianMonths: 15,
                       nonRelapseMortality: 0.05, priceCAD: 500_000),
        ProductProfile(product: .idecabtageneVicleucel, indication: .multipleMyeloma, share: 0.12,
                       medianAge: 61, ageSD: 9, ageRange: 33...78, maleShare: 0.59, dropout: 0.09, veinToVeinDays: 40,
                       crsAny: 0.84, crsSevere: 0.05, crsPeakDay: 1, icansAny: 0.18, icansSevere: 0.03,
                       completeResponse: 0.33, partialResponse: 0.40, stableDisease: 0.16, plateau: 0,
                       relapseMonthsAfterCR: 30, relapseMonthsAfterPR: 12, postProgressionMedianMonths: 12,
                       nonRelapseMortality: 0.04, priceCAD: 500_000),
        ProductProfile(product: .ciltacabtageneAutoleucel, indication: .multipleMyeloma, share: 0.20,
                       medianAge: 61, ageSD: 9, ageRange: 43...78, maleShare: 0.59, dropout: 0.13, veinToVeinDays: 47,
                       crsAny: 0.95, crsSevere: 0.04, crsPeakDay: 7, icansAny: 0.17, icansSevere: 0.02,
                       completeResponse: 0.67, partialResponse: 0.30, stableDisease: 0.02, plateau: 0,
                       relapseMonthsAfterCR: 80, relapseMonthsAfterPR: 24, postProgressionMedianMonths: 14,
                       nonRelapseMortality: 0.05, priceCAD: 500_000),
    ]

    /// P(grade = 0…4) with the any-grade and grade ≥ 3 rates: grades 1 and 2 share the rest 55:45,
    /// grades 3 and 4 share the severe rate 75:25.
    static func gradeDistribution(any: Double, severe: Double) -> [Double] {
        [1 - any, 0.55 * (any - severe), 0.45 * (any - severe), 0.75 * severe, 0.25 * severe]
    }
}

/// Québec's population by RSS (thousands, rounded; Institut de la statistique du Québec estimates for
/// 1 July 2023), the weights of the patients' regions.
let regionPopulationThousands: [Double] = [
    201, 280, 765, 530, 510, 2080, 410, 148, 89, 14, 92, 440, 445, 540, 655, 1470, 15, 19,
]
