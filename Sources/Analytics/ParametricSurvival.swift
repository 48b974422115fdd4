import Foundation

/// A parametric survival distribution, parameterised exactly as R's flexsurv
/// (`flexsurvreg(dist = …)` reports these parameters on the natural scale):
///
/// | case | flexsurv `dist` | S(t) |
/// |---|---|---|
/// | `exponential(rate)` | `"exp"` | exp(−rate·t) |
/// | `weibull(shape, scale)` | `"weibull"` (R's `dweibull`) | exp(−(t/scale)^shape) |
/// | `logLogistic(shape, scale)` | `"llogis"` | 1 / (1 + (t/scale)^shape) |
/// | `logNormal(meanlog, sdlog)` | `"lnorm"` | 1 − Φ((ln t − meanlog)/sdlog) |
/// | `gompertz(shape, rate)` | `"gompertz"` | exp(−(rate/shape)(e^{shape·t} − 1)); exp(−rate·t) when shape = 0 |
///
/// JSON form (Swift's synthesized enum coding): `{"weibull": {"shape": 1.3, "scale": 2.5}}`.
public enum ParametricSurvival: Codable, Sendable, Equatable {
    case exponential(rate: Double)
    case weibull(shape: Double, scale: Double)
    case logLogistic(shape: Double, scale: Double)
    case logNormal(meanlog: Double, sdlog: Double)
    case gompertz(shape: Double, rate: Double)

    /// Survival probability at time t (S(t) = 1 for t ≤ 0).
    public func survival(at t: Double) -> Double {
        guard t > 0 else { return 1 }
        switch self {
        case let .exponential(rate):
            return exp(-rate * t)
        case let .weibull(shape, scale):
            return exp(-pow(t / scale, shape))
        case let .logLogistic(shape, scale):
            return 1 / (1 + pow(t / scale, shape))
        case let .logNormal(meanlog, sdlog):
            return SpecialFunctions.normalCDF(-(log(t) - meanlog) / sdlog)
        case let .gompertz(shape, rate):
            return shape == 0 ? exp(-rate * t) : exp(-(rate / shape) * expm1(shape * t))
        }
    }

    /// Checks the parameters' domains (rates, shapes, scales and sdlog > 0; Gompertz shape any real).
    /// - Throws: `AnalyticsError` naming `field.parameter`.
    public func validate(_ field: String) throws {
        switch self {
        case let .exponential(rate):
            try Check.positive(rate, "\(field).rate")
        case let .weibull(shape, scale), let .logLogistic(shape, scale):
            try Check.positive(shape, "\(field).shape")
            try Check.positive(scale, "\(field).scale")
        case let .logNormal(meanlog, sdlog):
            try Check.finite(meanlog, "\(field).meanlog")
            try Check.positive(sdlog, "\(field).sdlog")
        case let .gompertz(shape, rate):
            try Check.finite(shape, "\(field).shape")
            try Check.positive(rate, "\(field).rate")
        }
    }
}

/// A survival curve used by a partitioned survival model: either parametric, or observed
/// Kaplan–Meier steps up to a cut-off followed by a parametric tail.
public enum SurvivalCurve: Codable, Sendable, Equatable {
    case parametric(distribution: ParametricSurvival)
    /// Kaplan–Meier step values (`times` ascending, `survival` S just after each time) used for
    /// t ≤ `cutoff`; beyond it, S(t) = S_KM(cutoff) · S_tail(t) / S_tail(cutoff).
    case kaplanMeierWithTail(times: [Double], survival: [Double], cutoff: Double, tail: ParametricSurvival)

    /// Builds the KM-with-tail form from an estimated curve.
    public static func kaplanMeier(_ curve: KaplanMeier, cutoff: Double, tail: ParametricSurvival) -> SurvivalCurve {
        .kaplanMeierWithTail(times: curve.times, survival: curve.survival, cutoff: cutoff, tail: tail)
    }

    /// Survival probability at time t.
    public func survival(at t: Double) -> Double {
        switch self {
        case let .parametric(distribution):
            return distribution.survival(at: t)
        case let .kaplanMeierWithTail(times, survival, cutoff, tail):
            func step(_ x: Double) -> Double {
                let index = times.countNotAbove(x)
                return index == 0 ? 1 : survival[index - 1]
            }
            guard t > cutoff else { return step(t) }
            let anchor = tail.survival(at: cutoff)
            return anchor > 0 ? step(cutoff) * tail.survival(at: t) / anchor : 0
        }
    }

    /// - Throws: `AnalyticsError` naming the invalid part of `field`.
    public func validate(_ field: String) throws {
        switch self {
        case let .parametric(distribution):
            try distribution.validate("\(field).parametric")
        case let .kaplanMeierWithTail(times, survival, cutoff, tail):
            try Check.length(survival, times.count, "\(field).survival")
            for (i, t) in times.enumerated() {
                try Check.nonNegative(t, "\(field).times[\(i)]")
                if i > 0, t <= times[i - 1] {
                    throw AnalyticsError.invalid(field: "\(field).times[\(i)]", reason: "times must be strictly increasing")
                }
            }
            for (i, s) in survival.enumerated() { try Check.probability(s, "\(field).survival[\(i)]") }
            try Check.nonNegative(cutoff, "\(field).cutoff")
            try tail.validate("\(field).tail")
        }
    }
}
