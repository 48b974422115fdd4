import Foundation

/// The parametric families that can be fitted by maximum likelihood.
public enum ParametricFamily: String, Codable, Sendable, CaseIterable {
    case exponential, weibull, logLogistic, logNormal, gompertz
}

/// A maximum-likelihood fit of a parametric survival distribution to right-censored data.
public struct ParametricFit: Codable, Sendable, Equatable {
    /// Fitted distribution, in flexsurv's parameterisation (see `ParametricSurvival`).
    public var distribution: ParametricSurvival
    /// Maximised log-likelihood on the time scale: Σ events log f(t) + Σ censored log S(t)
    /// (equal to R's `survreg(...)$loglik` and flexsurv's `logLik`).
    public var logLikelihood: Double
    /// Akaike information criterion, −2 log L + 2k.
    public var aic: Double

    /// Fits `family` to the observations by maximum likelihood: Nelder–Mead on the unconstrained
    /// parameters (log of positive ones; Gompertz shape is free), then Newton steps with a
    /// finite-difference Hessian to polish the optimum.
    /// - Throws: `AnalyticsError` when there are no events, a time is not > 0, or the fit does not converge
    ///   (e.g. a Gompertz fit whose likelihood keeps rising as shape → −∞).
    public static func fit(_ observations: [SurvivalObservation], family: ParametricFamily) throws -> ParametricFit {
        guard !observations.isEmpty else { throw AnalyticsError.empty(field: "observations") }
        for (i, o) in observations.enumerated() { try Check.positive(o.time, "observations[\(i)].time") }
        let events = observations.filter(\.event)
        guard !events.isEmpty else { throw AnalyticsError.invalid(field: "observations", reason: "no events to fit") }
        let totalTime = observations.reduce(0) { $0 + $1.time }
        let rate = Double(events.count) / totalTime
        let logTimes = events.map { log($0.time) }
        let meanLog = logTimes.reduce(0, +) / Double(logTimes.count)
        let start: [Double] = switch family {
        case .exponential: [log(rate)]
        case .weibull, .logLogistic: [0, -log(rate)]
        case .logNormal: [meanLog, 0]
        case .gompertz: [0, log(rate)]
        }
        let objective = { (theta: [Double]) -> Double in
            let value = -logLikelihood(observations, distribution(family, theta))
            return value.isFinite ? value : .infinity
        }
        var theta = Optimizer.nelderMead(objective, start: start)
        theta = Optimizer.nelderMead(objective, start: theta)
        theta = Optimizer.newtonPolish(objective, start: theta)
        let fitted = distribution(family, theta)
        let ll = logLikelihood(observations, fitted)
        guard ll.isFinite, theta.allSatisfy({ abs($0) < 700 }) else {
            throw AnalyticsError.invalid(field: "observations", reason: "the \(family.rawValue) fit did not converge")
        }
        return ParametricFit(distribution: fitted, logLikelihood: ll, aic: -2 * ll + 2 * Double(start.count))
    }

    private static func distribution(_ family: ParametricFamily, _ theta: [Double]) -> ParametricSurvival {
        switch family {
        case .exponential: .exponential(rate: exp(theta[0]))
        case .weibull: .weibull(shape: exp(theta[0]), scale: exp(theta[1]))
        case .logLogistic: .logLogistic(shape: exp(theta[0]), scale: exp(theta[1]))
        case .logNormal: .logNormal(meanlog: theta[0], sdlog: exp(theta[1]))
        case .gompertz: .gompertz(shape: theta[0], rate: exp(theta[1]))
        }
    }

    /// Σ events log h(t) + Σ all log S(t).
    static func logLikelihood(_ observations: [SurvivalObservation], _ d: ParametricSurvival) -> Double {
        var total = 0.0
        for o in observations {
            let t = o.time
            switch d {
            case let .exponential(rate):
                if o.event { total += log(rate) }
                total -= rate * t
            case let .weibull(shape, scale):
                let x = t / scale
                if o.event { total += log(shape / scale) + (shape - 1) * log(x) }
                total -= pow(x, shape)
            case let .logLogistic(shape, scale):
                let x = t / scale
                let power = pow(x, shape)
                if o.event { total += log(shape / scale) + (shape - 1) * log(x) - log1p(power) }
                total -= log1p(power)
            case let .logNormal(meanlog, sdlog):
                let z = (log(t) - meanlog) / sdlog
                let logSurvival = log(0.5 * erfc(z / 2.0.squareRoot()))
                if o.event {
                    total += -log(t * sdlog) - 0.5 * log(2 * Double.pi) - z * z / 2
                } else {
                    total += logSurvival
                }
            case let .gompertz(shape, rate):
                if o.event { total += log(rate) + shape * t }
                total -= shape == 0 ? rate * t : (rate / shape) * expm1(shape * t)
            }
        }
        return total
    }
}

/// Unconstrained minimisation for the small smooth problems of likelihood fitting.
enum Optimizer {
    /// Nelder–Mead simplex (standard coefficients 1, 2, ½, ½) from `start` with initial steps of 0.5;
    /// stops when the simplex's function values agree to 1e-15 (relative) or after 5,000 iterations.
    static func nelderMead(_ f: ([Double]) -> Double, start: [Double]) -> [Double] {
        let n = start.count
        var simplex = [start]
        for i in 0..<n {
            var vertex = start
            vertex[i] += 0.5
            simplex.append(vertex)
        }
        var values = simplex.map(f)
        for _ in 0..<5_000 {
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }
            if abs(values[n] - values[0]) <= 1e-15 * (abs(values[0]) + 1e-300) { break }
            let centroid = (0..<n).map { j in simplex[0..<n].reduce(0) { $0 + $1[j] } / Double(n) }
            func along(_ factor: Double) -> [Double] {
                (0..<n).map { centroid[$0] + factor * (simplex[n][$0] - centroid[$0]) }
            }
            let reflected = along(-1)
            let fr = f(reflected)
            if fr < values[0] {
                let expanded = along(-2)
                let fe = f(expanded)
                (simplex[n], values[n]) = fe < fr ? (expanded, fe) : (reflected, fr)
            } else if fr < values[n - 1] {
                (simplex[n], values[n]) = (reflected, fr)
            } else {
                let contracted = fr < values[n] ? along(-0.5) : along(0.5)
                let fc = f(contracted)
                if fc < min(fr, values[n]) {
                    (simplex[n], values[n]) = (contracted, fc)
                } else {
                    for i in 1...n {
                        simplex[i] = (0..<n).map { simplex[0][$0] + 0.5 * (simplex[i][$0] - simplex[0][$0]) }
                        values[i] = f(simplex[i])
                    }
                }
            }
        }
        return simplex[values.indices.min { values[$0] < values[$1] }!]
    }

    /// Up to 20 Newton steps with central-difference gradient and Hessian, each accepted only if it
    /// lowers `f`.
    static func newtonPolish(_ f: ([Double]) -> Double, start: [Double]) -> [Double] {
        let n = start.count
        var x = start
        var fx = f(x)
        for _ in 0..<20 {
            let h = x.map { 1e-4 * max(1, abs($0)) }
            var gradient = [Double](repeating: 0, count: n)
            var hessian = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
            func shifted(_ i: Int, _ a: Double, _ j: Int, _ b: Double) -> Double {
                var y = x
                y[i] += a
                y[j] += b
                return f(y)
            }
            for i in 0..<n {
                let plus = shifted(i, h[i], i, 0)
                let minus = shifted(i, -h[i], i, 0)
                gradient[i] = (plus - minus) / (2 * h[i])
                hessian[i][i] = (plus - 2 * fx + minus) / (h[i] * h[i])
                for j in 0..<i {
                    let value = (shifted(i, h[i], j, h[j]) - shifted(i, h[i], j, -h[j])
                        - shifted(i, -h[i], j, h[j]) + shifted(i, -h[i], j, -h[j])) / (4 * h[i] * h[j])
                    hessian[i][j] = value
                    hessian[j][i] = value
                }
            }
            guard let step = LinearAlgebra.solve(hessian, gradient) else { break }
            let candidate = zip(x, step).map { $0 - $1 }
            let fc = f(candidate)
            guard fc < fx else { break }
            x = candidate
            fx = fc
        }
        return x
    }
}
