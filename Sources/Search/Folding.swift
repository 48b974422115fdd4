/// Case and accent folding to plain ASCII where a Latin equivalent exists.
///
/// Contract: `fold` lower-cases, removes diacritics (é → e, ç → c, œ → oe, ß → ss) and spells the Greek letters
/// medicine uses as words (α → alpha, β → beta, γ → gamma, κ → kappa, …). Other characters are kept, lower-cased.
/// The same table drives the byte-level tokenizer, so `fold("Leucémie")` equals the term the index stores.
public enum Folding {
    /// Folds a whole string (see the type's contract).
    public static func fold(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if let replacement = replacement(for: scalar) {
                out += replacement
            } else {
                out += String(scalar).lowercased()
            }
        }
        return out
    }

    /// The ASCII spelling of a folded scalar: lower-case ASCII for ASCII letters, the base letter for accented Latin
    /// letters, a word for Greek letters; `nil` when the scalar has no special folding.
    static func replacement(for scalar: Unicode.Scalar) -> String? {
        let value = scalar.value
        if value < 0x80 {
            if value >= 0x41 && value <= 0x5A { return String(UnicodeScalar(UInt8(value + 0x20))) }
            return String(UnicodeScalar(UInt8(value)))
        }
        return table[value]
    }

    /// Accented Latin letters (Latin-1 Supplement and Latin Extended-A) and Greek letters.
    static let table: [UInt32: String] = {
        var map: [UInt32: String] = [:]
        let groups: [(String, String)] = [
            ("ÀÁÂÃÄÅàáâãäåĀāĂăĄą", "a"), ("ÇçĆćĈĉĊċČč", "c"), ("ĎďĐđ", "d"), ("ÈÉÊËèéêëĒēĔĕĖėĘęĚě", "e"),
            ("ĜĝĞğĠġĢģ", "g"), ("ĤĥĦħ", "h"), ("ÌÍÎÏìíîïĨĩĪīĬĭĮįİı", "i"), ("Ĵĵ", "j"), ("Ķķ", "k"),
            ("ĹĺĻļĽľĿŀŁł", "l"), ("ÑñŃńŅņŇň", "n"), ("ÒÓÔÕÖØòóôõöøŌōŎŏŐő", "o"), ("ŔŕŖŗŘř", "r"),
            ("ŚśŜŝŞşŠš", "s"), ("ŢţŤťŦŧ", "t"), ("ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲų", "u"), ("Ŵŵ", "w"), ("ÝýÿŶŷŸ", "y"),
            ("ŹźŻżŽž", "z"),
        ]
        for (letters, base) in groups {
            for scalar in letters.unicodeScalars { map[scalar.value] = base }
        }
        let words: [(String, String)] = [
            ("Œœ", "oe"), ("Ææ", "ae"), ("ß", "ss"), ("Þþ", "th"), ("Ðð", "d"),
            ("Αα", "alpha"), ("Ββ", "beta"), ("Γγ", "gamma"), ("Δδ", "delta"), ("Εε", "epsilon"), ("Ζζ", "zeta"),
            ("Ηη", "eta"), ("Θθ", "theta"), ("Ιι", "iota"), ("Κκ", "kappa"), ("Λλ", "lambda"), ("Μμ", "mu"),
            ("Νν", "nu"), ("Ξξ", "xi"), ("Ππ", "pi"), ("Ρρ", "rho"), ("Σσς", "sigma"), ("Ττ", "tau"),
            ("Φφ", "phi"), ("Χχ", "chi"), ("Ψψ", "psi"), ("Ωω", "omega"),
        ]
        for (letters, word) in words {
            for scalar in letters.unicodeScalars { map[scalar.value] = word }
        }
        return map
    }()
}
