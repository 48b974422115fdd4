import Analytics
import Foundation
import Testing

@Suite struct BudgetAndPaymentTests {
    @Test func budgetImpactByHand() throws {
        let result = try BudgetImpact.analyse(BudgetImpactInput(
            years: 3, eligiblePatients: [100, 110, 120], uptake: [0.1, 0.2, 0.5],
            newTherapyCostPerPatient: 450_000, currentTherapyCostPerPatient: 50_000,
            costOffsetPerPatient: [20_000, 20_000, 20_000]))
        // Year 1: 10 treated × (450,000 − 20,000 − 50,000) = 3,800,000.
        #expect(result.years.map(\.budgetImpact) == [3_800_000, 8_360_000, 22_800_000])
        #expect(result.years[1].treated == 22)
        #expect(result.totalBudgetImpact == 34_960_000)
    }

    @Test func budgetImpactNamesTheBadField() {
        #expect(throws: AnalyticsError.invalid(field: "uptake[1]", reason: "must lie in [0, 1], got 1.5")) {
            try BudgetImpact.analyse(BudgetImpactInput(years: 2, eligiblePatients: [1, 1], uptake: [0.5, 1.5],
                                                       newTherapyCostPerPatient: 1, currentTherapyCostPerPatient: 1))
        }
    }

    @Test func instalmentPresentValues() {
        let immediate = PaymentAgreement.instalments(price: 300_000, count: 3, timing: .immediate).payments(failureTime: nil)
        let due = PaymentAgreement.instalments(price: 300_000, count: 3, timing: .due).payments(failureTime: nil)
        #expect(immediate.map(\.time) == [1, 2, 3])
        #expect(due.map(\.time) == [0, 1, 2])
        let pvImmediate = 100_000 * (1 / 1.05 + 1 / pow(1.05, 2) + 1 / pow(1.05, 3))
        #expect(abs(PaymentSchedules.presentValue(immediate, rate: 0.05) - pvImmediate) < 1e-6)
        #expect(abs(PaymentSchedules.presentValue(due, rate: 0.05) - pvImmediate * 1.05) < 1e-6)
    }

    @Test func levelPaymentRepaysThePresentValue() throws {
        for timing in [PaymentTiming.due, .immediate] {
            let payment = try PaymentSchedules.levelPayment(presentValue: 1_000, rate: 0.04, count: 5, timing: timing)
            let schedule = (0..<5).map { Payment(time: Double($0) + (timing == .due ? 0 : 1), amount: payment) }
            #expect(abs(PaymentSchedules.presentValue(schedule, rate: 0.04) - 1_000) < 1e-9)
        }
    }

    @Test func outcomeBasedInstalmentsStopAtFailure() throws {
        let agreement = PaymentAgreement.outcomeInstalments(price: 500_000, count: 5, timing: .due)
        let ledger = try PaymentSchedules.ledger(agreement, rate: 0, patients: [
            (id: "p1", failureTime: nil), (id: "p2", failureTime: 1.5), (id: "p3", failureTime: 0),
        ])
        #expect(ledger.map(\.nominalTotal) == [500_000, 200_000, 0])
        #expect(ledger[1].payments.map(\.time) == [0, 1])
    }

    @Test func outcomeRefundUsesTheFirstTier() throws {
        let agreement = PaymentAgreement.outcomeRefund(price: 400_000, tiers: [
            RefundTier(withinYears: 2, fraction: 0.5), RefundTier(withinYears: 1, fraction: 1),
        ])
        #expect(agreement.payments(failureTime: 0.5).map(\.amount) == [400_000, -400_000])
        #expect(agreement.payments(failureTime: 1.5).map(\.amount) == [400_000, -200_000])
        #expect(agreement.payments(failureTime: 3).map(\.amount) == [400_000])
        let ledger = try PaymentSchedules.ledger(agreement, rate: 0.05, patients: [(id: "x", failureTime: 1.5)])
        #expect(abs(ledger[0].presentValue - (400_000 - 200_000 / pow(1.05, 1.5))) < 1e-6)
    }

    @Test func amortizationEndsAtZero() throws {
        let rows = try PaymentSchedules.amortize(acquisitionCost: 450_000, episodeCost: 50_000, rate: 0.03, years: 10)
        #expect(rows.count == 10)
        #expect(rows.last?.balance == 0)
        #expect(abs(rows.reduce(0) { $0 + $1.principal } - 500_000) < 1e-6)
        #expect(abs(rows[0].interest - 15_000) < 1e-9)
    }
}
