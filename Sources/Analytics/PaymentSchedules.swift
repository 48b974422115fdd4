import Foundation

/// When instalments fall within each period.
public enum PaymentTiming: String, Codable, Sendable {
    /// At the start of each period: t = 0, 1, …, n−1 (annuity due).
    case due
    /// At the end of each period: t = 1, 2, …, n (annuity immediate).
    case immediate
}

/// One payment at `time` years after treatment.
public struct Payment: Codable, Sendable, Equatable {
    public var time: Double
    public var amount: Double

    public init(time: Double, amount: Double) {
        self.time = time
        self.amount = amount
    }
}

/// A refund owed when the outcome fails within `withinYears` of treatment: `fraction` of the amount paid.
/// The first matching tier (smallest `withinYears` ≥ failure time) applies.
public struct RefundTier: Codable, Sendable, Equatable {
    public var withinYears: Double
    public var fraction: Double

    public init(withinYears: Double, fraction: Double) {
        self.withinYears = withinYears
        self.fraction = fraction
    }
}

/// A payment agreement for a one-time therapy, with a price and an annual discount rate.
public enum PaymentAgreement: Codable, Sendable, Equatable {
    /// The whole price at t = 0.
    case upFront(price: Double)
    /// `price` split into `count` equal nominal instalments, one a year, with the given timing.
    case instalments(price: Double, count: Int, timing: PaymentTiming)
    /// Instalments that stop once the outcome fails: an instalment is paid only if the outcome has not
    /// failed at or before its due time.
    case outcomeInstalments(price: Double, count: Int, timing: PaymentTiming)
    /// Whole price at t = 0 with a refund, paid at the failure time, when the outcome fails early.
    case outcomeRefund(price: Double, tiers: [RefundTier])

    /// - Throws: `AnalyticsError` naming the invalid field.
    public func validate() throws {
        switch self {
        case let .upFront(price):
            try Check.nonNegative(price, "price")
        case let .instalments(price, count, _), let .outcomeInstalments(price, count, _):
            try Check.nonNegative(price, "price")
            try Check.count(count, "instalments")
        case let .outcomeRefund(price, tiers):
            try Check.nonNegative(price, "price")
            for (i, tier) in tiers.enumerated() {
                try Check.positive(tier.withinYears, "refund[\(i)].withinYears")
                try Check.probability(tier.fraction, "refund[\(i)].fraction")
            }
        }
    }

    /// The payments for one patient whose outcome fails at `failureTime` years (`nil`: never fails).
    /// Refunds appear as negative payments.
    public func payments(failureTime: Double?) -> [Payment] {
        switch self {
        case let .upFront(price):
            return [Payment(time: 0, amount: price)]
        case let .instalments(price, count, timing):
            return Self.schedule(price: price, count: count, timing: timing)
        case let .outcomeInstalments(price, count, timing):
            return Self.schedule(price: price, count: count, timing: timing).filter { payment in
                failureTime.map { payment.time < $0 } ?? true
            }
        case let .outcomeRefund(price, tiers):
            var payments = [Payment(time: 0, amount: price)]
            if let failureTime,
               let tier = tiers.sorted(by: { $0.withinYears < $1.withinYears }).first(where: { failureTime <= $0.withinYears }),
               tier.fraction > 0 {
                payments.append(Payment(time: failureTime, amount: -price * tier.fraction))
            }
            return payments
        }
    }

    private static func schedule(price: Double, count: Int, timing: PaymentTiming) -> [Payment] {
        let amount = price / Double(count)
        let offset = timing == .due ? 0.0 : 1.0
        return (0..<count).map { Payment(time: Double($0) + offset, amount: amount) }
    }
}

/// Present values and per-patient ledgers of payment agreements.
public enum PaymentSchedules {
    /// Σ amount / (1 + rate)^time.
    public static func presentValue(_ payments: [Payment], rate: Double) -> Double {
        payments.reduce(0) { $0 + $1.amount * pow(1 + rate, -$1.time) }
    }

    /// Level payment of an annuity of `count` yearly payments whose present value at `rate` is
    /// `presentValue`: P·r / (1 − (1+r)^−n) for an annuity immediate, divided by (1+r) for an annuity due;
    /// P/n when r = 0.
    public static func levelPayment(presentValue: Double, rate: Double, count: Int, timing: PaymentTiming) throws -> Double {
        try Check.rate(rate, "rate")
        try Check.count(count, "count")
        guard rate != 0 else { return presentValue / Double(count) }
        let immediate = presentValue * rate / (1 - pow(1 + rate, -Double(count)))
        return timing == .immediate ? immediate : immediate / (1 + rate)
    }

    /// One patient's line in an outcomes-based agreement ledger.
    public struct LedgerEntry: Codable, Sendable, Equatable {
        public var patient: String
        public var failureTime: Double?
        public var payments: [Payment]
        public var nominalTotal: Double
        public var presentValue: Double
    }

    /// Per-patient ledger of an agreement: each patient's payments given their outcome failure time.
    /// - Parameter patients: patient identifier and failure time in years (`nil` if the outcome held).
    /// - Throws: `AnalyticsError` for an invalid agreement, rate or failure time.
    public static func ledger(_ agreement: PaymentAgreement, rate: Double,
                              patients: [(id: String, failureTime: Double?)]) throws -> [LedgerEntry] {
        try agreement.validate()
        try Check.rate(rate, "rate")
        return try patients.enumerated().map { index, patient in
            if let time = patient.failureTime { try Check.nonNegative(time, "patients[\(index)].failureTime") }
            let payments = agreement.payments(failureTime: patient.failureTime)
            return LedgerEntry(patient: patient.id, failureTime: patient.failureTime, payments: payments,
                               nominalTotal: payments.reduce(0) { $0 + $1.amount },
                               presentValue: presentValue(payments, rate: rate))
        }
    }

    /// One year of an amortization table.
    public struct AmortizationRow: Codable, Sendable, Equatable {
        public var year: Int
        public var payment: Double
        public var interest: Double
        public var principal: Double
        public var balance: Double
    }

    /// Amortizes an acquisition cost plus the cost of the care episode (e.g. apheresis, conditioning,
    /// hospital stay) over `years` level end-of-year payments at `rate`.
    /// - Throws: `AnalyticsError` for negative costs, a rate ≤ −1 or fewer than one year.
    public static func amortize(acquisitionCost: Double, episodeCost: Double, rate: Double, years: Int) throws
        -> [AmortizationRow]
    {
        try Check.nonNegative(acquisitionCost, "acquisitionCost")
        try Check.nonNegative(episodeCost, "episodeCost")
        let principal = acquisitionCost + episodeCost
        let payment = try levelPayment(presentValue: principal, rate: rate, count: years, timing: .immediate)
        var balance = principal
        return (1...years).map { year in
            let interest = balance * rate
            let repaid = payment - interest
            balance = year == years ? 0 : balance - repaid
            return AmortizationRow(year: year, payment: payment, interest: interest, principal: repaid, balance: balance)
        }
    }
}
