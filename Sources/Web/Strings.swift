/// Every user-visible string, in French and English. One entry holds both languages, so neither can be missing.
enum Strings {
    static let entries: [String: (fr: String, en: String)] = [
        "site_name": ("Passerelle", "Passerelle"),
        "home_title": ("Passerelle — essais cliniques et thérapies cellulaires et géniques au Québec",
                       "Passerelle — clinical trials and cell and gene therapies in Québec"),
        "tagline": ("Trouver un essai clinique, comprendre qui peut y participer, et suivre l’accès aux thérapies cellulaires et géniques au Québec.",
                    "Find a clinical trial, understand who can take part, and follow access to cell and gene therapies in Québec."),
        "skip_to_content": ("Aller au contenu", "Skip to content"),
        "nav_home": ("Accueil", "Home"),
        "switch_language": ("Changer de langue", "Change language"),
        "counts_heading": ("Les essais en chiffres", "Trials in numbers"),
        "count_trials": ("essais cliniques répertoriés", "clinical trials listed"),
        "count_recruiting": ("recrutent maintenant", "recruiting now"),
        "count_open_soon": ("ouvriront bientôt", "opening soon"),
        "count_cgt": ("thérapies cellulaires ou géniques", "cell or gene therapies"),
        "count_sites": ("sites d’essai", "trial sites"),
        "count_countries": ("pays", "countries"),
        "count_canada": ("essais avec un site au Canada", "trials with a site in Canada"),
        "cgt_heading": ("Thérapies cellulaires et géniques par type", "Cell and gene therapies by type"),
        "cgt_type_column": ("Type", "Type"),
        "cgt_count_column": ("Essais", "Trials"),
        "cgt_car-t": ("Lymphocytes CAR-T", "CAR-T cells"),
        "cgt_t-cell": ("Autres lymphocytes T (TCR-T, TIL, antiviraux)", "Other T cells (TCR-T, TIL, virus-specific)"),
        "cgt_nk-immune-cell": ("Cellules NK et autres cellules immunitaires", "NK and other immune cells"),
        "cgt_stem-cell": ("Cellules souches (greffe, autres)", "Stem cells (transplant, other)"),
        "cgt_in-vivo-gene-therapy": ("Thérapie génique in vivo", "In vivo gene therapy"),
        "cgt_ex-vivo-gene-modified-cells": ("Cellules génétiquement modifiées ex vivo", "Ex vivo gene-modified cells"),
        "cgt_gene-editing": ("Édition génique", "Gene editing"),
        "cgt_oncolytic-virus": ("Virus oncolytiques", "Oncolytic viruses"),
        "cgt_rna-antisense": ("ARN et antisens", "RNA and antisense"),
        "cgt_not-cgt": ("Autres traitements", "Other treatments"),
        "about_heading": ("À propos des données", "About the data"),
        "about_text": ("Les essais viennent de ClinicalTrials.gov, le registre public des essais cliniques. Passerelle ne remplace pas l’avis de votre équipe soignante : parlez-lui de tout essai qui vous intéresse.",
                       "Trials come from ClinicalTrials.gov, the public registry of clinical trials. Passerelle does not replace the advice of your care team: talk to them about any trial that interests you."),
        "footer_text": ("Passerelle est une plateforme ouverte. Aucune donnée de patient n’est conservée sur cette page.",
                        "Passerelle is an open platform. No patient data is kept on this page."),
    ]

    /// The strings of one language, keyed as in ``entries``.
    static func table(for language: Language) -> [String: String] {
        switch language {
        case .fr: cachedFrench
        case .en: cachedEnglish
        }
    }

    private static let cachedFrench = entries.mapValues(\.fr)
    private static let cachedEnglish = entries.mapValues(\.en)
}
