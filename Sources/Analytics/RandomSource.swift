import Foundation

/// Deterministic pseudo-random numbers: xoshiro256** (Blackman & Vigna, 2018) whose 256-bit state
/// is filled from the 64-bit seed by four SplitMix64 steps. The same seed gives the same stream on
/// every platform.
///
/// Derived variates:
/// - uniform in [0, 1): the top 53 bits of a draw × 2⁻⁵³;
/// - standard normal: Box–Muller, z = √(−2 ln u₁) · cos(2π u₂) with u₁ = 1 − uniform (two draws per value);
/// - gamma(shape k, scale θ): Marsaglia & Tsang (2000); for k < 1, gamma(k + 1) · u^(1/k);
/// - beta(α, β): X/(X+Y) with X ~ gamma(α, 1), Y ~ gamma(β, 1);
/// - log-normal: exp(meanlog + sdlog · z).
public struct RandomSource: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    public mutating func next() -> UInt64 {
        let result = rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotate(s3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Standard normal variate.
    public mutating func standardNormal() -> Double {
        let u1 = 1 - uniform()
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Gamma variate with the given shape (> 0) and scale (> 0).
    public mutating func gamma(shape: Double, scale: Double) -> Double {
        if shape < 1 {
            let boosted = gamma(shape: shape + 1, scale: 1)
            return boosted * pow(1 - uniform(), 1 / shape) * scale
        }
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = standardNormal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = 1 - uniform()
            if u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)) {
                return d * v * scale
            }
        }
    }

    /// Beta variate with shapes α, β (> 0).
    public mutating func beta(alpha: Double, beta: Double) -> Double {
        let x = gamma(shape: alpha, scale: 1)
        let y = gamma(shape: beta, scale: 1)
        return x / (x + y)
    }
}
