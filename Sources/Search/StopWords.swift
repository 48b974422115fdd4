/// Stop words: function words that carry no search meaning, in folded form.
///
/// The lists leave out every word that can be medical on its own ("all" is English for "tous" but also the
/// acronym of acute lymphoblastic leukaemia: it is a stop word only when not written in capitals, see
/// ``TextAnalyzer``). Single letters other than "a", "s" and "y" are kept (elided French articles never reach the lists) ("CAR T", "hépatite B", "type 1").
enum StopWords {
    static let english: [String] = """
        a about above after again against all am an and any are as at be because been before being below between \
        both but by can could did do does doing down during each few for from further had has have having he her \
        here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not \
        now of off on once only or other our ours ourselves out over own same she should so some such than that the \
        their theirs them themselves then there these they this those through to too under until up very was we \
        were what when where which while who whom why will with would you your yours yourself yourselves s y \
        also may might must shall within without upon via per versus vs et al
        """.split(whereSeparator: \.isWhitespace).map(String.init)

    static let french: [String] = """
        au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les leur leurs lui ma mais \
        me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu \
        un une vos votre vous est sont etre ete etait avoir ont a y ainsi aussi chez comme donc dont \
        lors ni peu plus puis quand quel quelle quelles quels sans selon si sous tout tous toute toutes tres vers \
        voici voila
        """.split(whereSeparator: \.isWhitespace).map(String.init)
}
