/// Light stemmers on folded ASCII bytes. Both only strip inflections (plural, feminine), never derivations, so
/// medically distinct words stay apart ("cardiac" ≠ "cardiology", "lymphoma" ≠ "lymphocyte").
enum Stemmer {
    /// Harman's English "S-stemmer": "-ies" → "-y" (not "-eies", "-aies"), "-es" → "-e" (not "-aes", "-ees",
    /// "-oes"), "-s" → "" (not "-us", "-ss", "-is"). Words shorter than four bytes are left alone, so "hiv", "gas"
    /// and "ms" keep their final letter. `word` is shortened in place.
    static func english(_ word: inout [UInt8]) {
        let n = word.count
        guard n >= 4, word[n - 1] == s else { return }
        let a = word[n - 2]
        let b = word[n - 3]
        if a == ascii("e"), b == ascii("i"), word[n - 4] != ascii("e"), word[n - 4] != ascii("a") {
            word.removeLast(2)
            word[word.count - 1] = ascii("y")
        } else if a == ascii("e"), b != ascii("a"), b != ascii("e"), b != ascii("o") {
            word.removeLast()
        } else if a != ascii("u"), a != s, a != ascii("i") {
            word.removeLast()
        }
    }

    /// A light French stemmer after Savoy: "-aux" → "-al" (hôpitaux → hopital), plural "-s"/"-x" dropped, then up
    /// to two final "e" (feminine and past participle: "aiguë" → "aigu", "greffée" → "greff"), then one letter of a
    /// final double letter ("cellul", "greff" → "gref"). Applies to words of five bytes or more. `word` is shortened
    /// in place.
    static func french(_ word: inout [UInt8]) {
        guard word.count >= 5 else { return }
        let n = word.count
        if word[n - 1] == ascii("x") {
            if word[n - 2] == ascii("u"), word[n - 3] == ascii("a") {
                word.removeLast(2)
                word.append(ascii("l"))
            } else {
                word.removeLast()
            }
        } else if word[n - 1] == s, word[n - 2] != s {
            word.removeLast()
        }
        for _ in 0..<2 where word.count >= 5 && word[word.count - 1] == ascii("e") {
            word.removeLast()
        }
        let m = word.count
        if m >= 5, word[m - 1] == word[m - 2], word[m - 1] >= ascii("a"), word[m - 1] <= ascii("z") {
            word.removeLast()
        }
    }

    private static let s = ascii("s")

    /// The byte of an ASCII character.
    static func ascii(_ character: Unicode.Scalar) -> UInt8 { UInt8(character.value) }
}
