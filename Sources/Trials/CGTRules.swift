/// What one rule phrase says about a study. docs/CGT.md explains each signal and how they combine.
enum CGTSignal: Sendable, Equatable {
    /// The phrase names a category directly.
    case type(CGTType)
    /// A chimeric antigen receptor without the carrier cell: CAR-T unless NK or other immune cells carry it.
    case genericCAR
    /// T-cell wording that also describes CAR-T products ("autologous T cells"): other T cells unless CAR-T.
    case genericTCell
    /// Gene transfer that does not say whether cells are modified ex vivo or the patient in vivo.
    case geneTransfer
    /// Gene transfer into cells outside the body ("transduced"): ex-vivo gene-modified cells unless the cells
    /// are CAR-T or gene-edited.
    case exVivoTransfer
    /// "ex vivo": makes an unqualified gene transfer an ex-vivo one.
    case exVivoHint
    /// Donor lymphocytes: with a stem-cell transplant in the same study they are part of the transplant
    /// protocol, and the transplant becomes the primary category.
    case transplantAdjunct
    /// Names a vector only; recorded when other phrases make the study a CGT, never a category by itself.
    case vectorOnly
    /// Masks a phrase that would otherwise match inside it (e.g. "anti retroviral", "hsv tk").
    case block
    /// A vaccine; with ``infectiousDisease`` it marks a vaccine against an infection.
    case vaccine
    case infectiousDisease
}

/// A rule: a phrase (see ``CGTPhraseIndex`` for the syntax), what it signals and the vector it implies.
struct CGTRule: Sendable {
    var phrase: String
    var signals: [CGTSignal]
    var vector: VectorType?
    /// Ambiguous in free text: only counted in intervention names, other names and intervention MeSH terms.
    var interventionsOnly: Bool

    static func group(
        _ signal: CGTSignal, also extra: CGTSignal? = nil, vector: VectorType? = nil, interventionsOnly: Bool = false,
        _ phrases: [String]
    ) -> [CGTRule] {
        let signals = [signal] + (extra.map { [$0] } ?? [])
        return phrases.map {
            CGTRule(phrase: $0, signals: signals, vector: vector, interventionsOnly: interventionsOnly)
        }
    }
}

extension CGTClassifier {
    /// The rule table. Phrases are lowercase and tokenised like the text (punctuation is a word break, so
    /// "CAR-T" is `car t` and "exa-cel" is `exa cel`).
    static let rules: [CGTRule] = [
        // CAR-T: named products (vector from the product labels) and generic phrasings.
        CGTRule.group(.type(.carT), vector: .lentivirus, [
            "tisagenlecleucel", "kymriah", "tisa cel", "ctl019", "ctl119", "lisocabtagene", "breyanzi", "liso cel",
            "jcar017", "idecabtagene", "abecma", "ide cel", "bb2121", "bb21217", "ciltacabtagene", "carvykti",
            "cilta cel", "jnj 68284528", "jnj 4528", "lcar b38m", "obecabtagene", "aucatzyl", "obe cel",
            "relmacabtagene", "relma cel", "equecabtagene", "zevorcabtagene", "inaticabtagene",
        ]),
        CGTRule.group(.type(.carT), vector: .gammaretrovirus, [
            "axicabtagene", "yescarta", "axi cel", "kte c19", "brexucabtagene", "tecartus", "brexu cel", "kte x19",
        ]),
        CGTRule.group(.type(.carT), [
            "*cabtagene", "car t", "car tcell*", "car treg*", "cart", "cart#", "ucart*", "carcik*", "car cik",
            "chimeric antigen receptor t*", "chimeric antigen receptor modified t*",
            "chimeric antigen receptor engineered t*", "chimeric antigen receptor redirected t*",
            "chimeric antigen receptor expressing t*", "chimeric antigen receptor car t*",
        ]),
        CGTRule.group(.genericCAR, [
            "chimeric antigen receptor*", "car#", "car modified", "car engineered", "car transduced", "car expressing",
            "car redirected", "car cell*", "car therap*", "car based",
        ]),

        // Gene editing.
        CGTRule.group(.type(.geneEditing), vector: .nonViral, [
            "exagamglogene", "exa cel", "casgevy", "ctx001", "renizgamglogene", "reni cel", "edit 301",
        ]),
        CGTRule.group(.type(.geneEditing), [
            "crispr*", "cas9", "cas12*", "base edit*", "base editor*", "prime edit*", "gene edit*", "genome edit*",
            "zinc finger nuclease*", "zfn", "zfns", "talen", "talens", "tale nuclease*", "meganuclease*", "megatal*",
            "homing endonuclease*", "ntla 2001", "ntla 2002", "nexiguran", "edit 101", "sb 728*", "st 400",
            "bivv003", "ebt 101", "verve 101", "verve 102", "beam 101", "ccr5 modified", "ctx110", "ctx112",
            "ctx120", "ctx130", "ctx131",
        ]),
        CGTRule.group(.type(.geneEditing), interventionsOnly: true, ["knockout", "knock out", "edited"]),

        // Other T cells: TIL, TCR-T, virus-specific T cells, donor lymphocytes, regulatory T cells.
        CGTRule.group(.type(.otherTCell), vector: .lentivirus, [
            "afamitresgene", "afami cel", "tecelra", "letetresgene", "lete cel",
        ]),
        CGTRule.group(.type(.otherTCell), [
            "*leucel", "lifileucel", "amtagvi", "tabelecleucel", "ebvallo", "posoleucel", "viralym*",
            "tumor infiltrating lymphocyte*", "tumour infiltrating lymphocyte*", "til", "tils", "til therap*",
            "tcr t", "tcr engineered", "tcr transduced", "tcr modified", "tcr redirected", "tcr gene*", "tcr therap*",
            "t cell receptor engineered", "t cell receptor transduced", "t cell receptor modified",
            "t cell receptor gene*", "engineered tcr*", "star t", "virus specific t*", "virus specific cytotoxic*",
            "multivirus specific*", "adenovirus specific t*", "ebv specific*", "cmv specific t*",
            "epstein barr virus specific*", "gamma delta t*", "γδ t*", "orca t", "orca q", "regulatory t cell*",
        ]),
        CGTRule.group(.type(.otherTCell), also: .transplantAdjunct, [
            "donor lymphocyte*", "donor leukocyte*", "donor leucocyte*", "lymphocyte infusion*", "dli",
        ]),
        CGTRule.group(.genericTCell, also: .transplantAdjunct, [
            "therapeutic allogeneic lymphocyte*", "allogeneic lymphocyte*", "donor t cell*",
        ]),
        CGTRule.group(.genericTCell, [
            "cytotoxic t lymphocyte*", "ctl", "ctls", "activated t cell*", "expanded t cell*", "autologous t cell*",
            "allogeneic t cell*", "engineered t cell*", "t cell infusion*", "t cell therap*",
            "t cell transfer", "t cell immunotherap*", "specific t cell*", "specific t lymphocyte*",
            "specific cytotoxic t*", "lymphocytes activated", "activated lymphocyte*",
            "therapeutic autologous lymphocyte*", "autologous lymphocyte*", "syngeneic lymphocyte*",
            "adoptive immunotherap*", "adoptive cell*",
            "adoptive transfer", "adoptive t cell*", "adoptive tcell*",
        ]),
        CGTRule.group(.genericTCell, also: .geneTransfer, [
            "genetically modified t cell*", "gene modified t cell*", "genetically engineered t cell*",
            "gene engineered t cell*", "genetically modified lymphocyte*", "gene modified lymphocyte*",
            "genetically modified t lymphocyte*", "gene modified t lymphocyte*",
        ]),
        CGTRule.group(.type(.otherTCell), interventionsOnly: true, ["treg", "tregs"]),
        CGTRule.group(.genericTCell, interventionsOnly: true, ["t cells", "t lymphocytes"]),

        // NK and other immune effector cells, dendritic-cell and other antigen-presenting-cell products.
        CGTRule.group(.type(.nkOrOtherImmuneCell), [
            "natural killer cell*", "natural killer nk cell*", "nk cell*", "nk 92", "nk92", "car nk*",
            "cord blood nk", "memory like nk", "nkt cell*", "inkt", "inkt cell*", "cytokine induced killer*", "cik",
            "ciks", "dc cik", "lymphokine activated killer*", "lak", "lak cell*", "dendritic cell*", "dc vaccin*",
            "dcvax*", "sipuleucel*", "provenge", "car macrophage*", "car m", "macrophage therap*",
            "activated macrophage*",
        ]),
        CGTRule.group(.type(.nkOrOtherImmuneCell), interventionsOnly: true, ["nk", "macrophages", "dcs"]),

        // Haematopoietic stem-cell transplant and other stem, stromal or progenitor cells.
        CGTRule.group(.type(.stemCell), [
            "stem cell transplant*", "stem cell rescue", "stem cell support", "stem cell infusion*",
            "stem cell therap*", "stem cell boost", "stem cell graft*", "stem cell reinfusion", "autologous stem cell*",
            "allogeneic stem cell*", "haploidentical stem cell*", "hematopoietic cell transplant*",
            "haematopoietic cell transplant*", "hematopoietic stem*", "haematopoietic stem*",
            "hematopoietic progenitor*", "haematopoietic progenitor*", "blood stem cell*", "pbsc", "pbsct", "hsct",
            "allo hsct", "allohsct", "sct", "asct", "allo sct", "allosct", "auto sct", "autosct", "allo hct",
            "auto hct", "allogeneic hct", "autologous hct", "marrow transplant*", "bone marrow graft*", "bmt",
            "autologous transplant*", "allogeneic transplant*", "autotransplant*", "haploidentical transplant*",
            "progenitor cell transplant*", "progenitor cell support", "peripheral blood progenitor cell*",
            "pbpc", "cd34 selected", "cd34 enriched", "cd34 positive", "cd34 cells", "cd133 cells",
            "cord blood transplant*", "cord blood unit*", "cord blood cell*", "cord blood stem*", "ucbt", "ucb",
            "dcbt", "umbilical cord blood transplant*", "mesenchymal stem*", "mesenchymal stromal*",
            "mesenchymal precursor*", "mesenchymal progenitor*", "mesenchymal cell*", "msc", "mscs", "*mscs",
            "hmsc", "bmmsc", "ucmsc", "admsc", "hucmsc", "stromal vascular fraction", "adipose derived stem*",
            "adipose derived regenerative", "adipose derived mesenchymal", "bone marrow derived stem*",
            "bone marrow derived mononuclear",
            "bone marrow mononuclear*", "bmmnc*", "bone marrow concentrate", "bone marrow aspirate concentrate",
            "bmac", "autologous bone marrow", "ipsc*", "induced pluripotent", "pluripotent stem*", "embryonic stem*",
            "hesc*", "neural stem*", "neural progenitor*", "neural precursor*", "limbal stem*", "cardiosphere*",
            "cardiac stem*", "endothelial progenitor*", "*temcel", "*strocel", "remestemcel*", "prochymal",
            "ryoncil", "darvadstrocel", "alofisel", "omidubicel", "omisirge", "multistem",
        ]),
        CGTRule.group(.type(.stemCell), interventionsOnly: true, [
            "stem cell*", "stromal cell*", "bone marrow cell*", "progenitor cell*", "hsc", "hscs", "hpc",
        ]),

        // Ex-vivo gene-modified cells (other than CAR-T).
        CGTRule.group(.type(.exVivoGeneModifiedCells), vector: .lentivirus, [
            "betibeglogene", "beti cel", "zynteglo", "lovotibeglogene", "lovo cel", "lyfgenia", "lentiglobin",
            "elivaldogene", "eli cel", "lenti d", "skysona", "atidarsagene", "arsa cel", "libmeldy", "lenmeldy",
            "otl 101", "otl 103", "otl 200", "lentivirally",
        ]),
        CGTRule.group(.type(.exVivoGeneModifiedCells), vector: .gammaretrovirus, [
            "strimvelis", "retrovirally", "tg c", "tissuegene c", "invossa",
        ]),
        CGTRule.group(.exVivoTransfer, [
            "transduced", "gene marked", "gene marking", "marker gene", "neo marked", "gvax", "gm csf secreting",
            "ex vivo gene*", "gene modified tumor*", "genetically modified tumor*", "gene modified autologous tumor*",
            "transfected tumor*", "gene modified cell*", "genetically modified cell*",
        ]),
        CGTRule.group(.exVivoHint, ["ex vivo"]),

        // In-vivo gene therapy: named products, INN vector stems, vector families.
        CGTRule.group(.type(.inVivoGeneTherapy), vector: .aav, [
            "onasemnogene", "zolgensma", "avxs 101", "voretigene", "luxturna", "etranacogene", "hemgenix",
            "valoctocogene", "roctavian", "bmn 270", "fidanacogene", "beqvez", "delandistrogene", "elevidys",
            "eladocagene", "upstaza", "kebilidi", "alipogene", "glybera", "giroctocogene", "fordadistrogene",
            "*parvovec",
        ]),
        CGTRule.group(.type(.inVivoGeneTherapy), vector: .adenovirus, [
            "nadofaragene", "adstiladrin", "*adenovec", "gendicine", "advexin", "ingn 201", "ad5cmv*", "tnferade",
            "ad5fgf4", "generx",
        ]),
        CGTRule.group(.type(.inVivoGeneTherapy), vector: .herpesSimplex, ["beremagene", "vyjuvek", "b vec"]),
        CGTRule.group(.type(.inVivoGeneTherapy), vector: .nonViral, [
            "*plasmid", "collategene", "neovasculgen", "engensis", "vm202", "donaperminogene", "histograft",
            "nucleostim*", "gene activated",
        ]),
        CGTRule.group(.type(.inVivoGeneTherapy), ["in vivo gene*"]),
        CGTRule.group(.geneTransfer, [
            "gene therap*", "gene transfer", "gene delivery", "viral vector*", "gene based", "transgene*",
            "genetically modified*", "genetically engineered*", "gene modified*", "transduction",
        ]),
        CGTRule.group(.geneTransfer, vector: .aav, ["aav", "aav#", "raav*", "scaav*", "adeno associated"]),
        CGTRule.group(.geneTransfer, vector: .adenovirus, [
            "adenoviral vector*", "adenoviral mediated", "adenoviral gene*", "adenoviral delivery", "adenoviral p53",
            "adenovirus vector*", "adenovirus mediated", "recombinant adenovir*",
            "replication deficient adenovir*", "replication defective adenovir*", "adenovirus encoding",
            "adenovirus expressing", "ad5*", "adenovector*",
        ]),
        CGTRule.group(.geneTransfer, vector: .lentivirus, ["lentivir*", "lentivector*"]),
        CGTRule.group(.geneTransfer, vector: .gammaretrovirus, [
            "retroviral", "gammaretrovir*", "retroviral vector*", "retrovirus vector*",
        ]),
        CGTRule.group(.geneTransfer, vector: .herpesSimplex, [
            "herpes simplex virus vector*", "hsv vector*", "hsv 1 vector*", "hsv based",
        ]),
        CGTRule.group(.geneTransfer, vector: .vaccinia, [
            "recombinant vaccinia", "vaccinia cea", "vaccinia psa", "vaccinia muc*", "rv cea", "rv psa", "prostvac",
            "panvac", "tricom", "tg4010", "trovax", "mva 5t4", "vaccinia vector*",
        ]),
        CGTRule.group(.geneTransfer, vector: .otherVirus, [
            "fowlpox*", "rf cea", "rf psa", "alvac*", "canarypox*", "recombinant poxvir*",
        ]),
        CGTRule.group(.geneTransfer, vector: .nonViral, [
            "plasmid*", "naked dna", "dna vaccine*", "sleeping beauty", "piggybac", "transposon*",
        ]),
        CGTRule.group(.vectorOnly, vector: .adenovirus, ["adenovirus", "adenoviral"]),
        CGTRule.group(.vectorOnly, vector: .gammaretrovirus, ["retrovirus"]),
        CGTRule.group(.vectorOnly, vector: .vaccinia, ["vaccinia", "mva", "modified vaccinia"]),
        CGTRule.group(.vectorOnly, vector: .otherVirus, [
            "measles virus", "vesicular stomatitis virus", "vsv", "poliovirus", "coxsackievirus", "maraba",
            "sendai", "alphavirus", "semliki",
        ]),
        CGTRule.group(.vectorOnly, vector: .nonViral, [
            "lipid nanoparticle*", "lnp", "lnps", "electroporat*", "nucleofect*",
        ]),
        CGTRule.group(.block, [
            "anti retroviral*", "anti retrovirus", "hsv tk", "herpes simplex virus thymidine kinase",
            "cytotoxic t lymphocyte associated", "cytotoxic t lymphocyte antigen", "car t cell related",
            "signal transduction", "genetically modified salmonella", "genetically modified bacteri*",
            "genetically modified organism*", "plasmacytoid dendritic", "natural killer cell stimulatory",
            "autoleucel", "maraleucel", "ciloleucel", "vicleucel",
        ]),

        // Oncolytic viruses.
        CGTRule.group(.type(.oncolyticVirus), vector: .herpesSimplex, [
            "talimogene", "laherparepvec", "t vec", "imlygic", "oncovex*", "oncolytic hsv*", "oncolytic herpes*",
            "g47δ", "g47", "teserpaturev", "delytact", "rp1", "rp2", "vusolimogene", "hsv1716", "seprehvir",
            "nv1020", "orienx010", "hf10", "canerpaturev",
        ]),
        CGTRule.group(.type(.oncolyticVirus), vector: .vaccinia, [
            "jx 594", "jx594", "pexa vec", "pexastimogene", "devacirepvec", "olvi vec", "olvimulogene",
            "oncolytic vaccinia",
        ]),
        CGTRule.group(.type(.oncolyticVirus), vector: .adenovirus, [
            "onyx 015", "h101", "oncorine", "dnx 2401", "tasadenoturev", "cg0070", "cretostimogene", "enadenotucirev",
            "colo ad1", "telomelysin", "obp 301", "vcn 01", "oncolytic adenovir*", "replicating adenovir*",
            "replication competent adenovir*", "conditionally replicating adenovir*",
        ]),
        CGTRule.group(.type(.oncolyticVirus), vector: .gammaretrovirus, ["toca 511", "vocimagene", "amiretrorepvec"]),
        CGTRule.group(.type(.oncolyticVirus), vector: .otherVirus, [
            "reolysin", "pelareorep", "reovirus", "pvsripo", "lerapolturev", "cavatak", "coxsackievirus a21", "mv nis",
            "mv cea", "seneca valley", "ntx 010", "newcastle disease virus", "parvoryx", "oncolytic measles",
            "oncolytic reovirus",
        ]),
        CGTRule.group(.type(.oncolyticVirus), [
            "oncolytic*", "virotherap*", "*repvec", "replication competent", "conditionally replicat*",
        ]),

        // RNA and antisense: INN stems -rsen (antisense) and -siran (siRNA), brands, mechanisms, mRNA.
        CGTRule.group(.type(.rnaOrAntisense), [
            "*rsen", "*siran", "spinraza", "onpattro", "leqvio", "givlaari", "oxlumo", "amvuttra", "kynamro",
            "vitravene", "exondys", "vyondys", "viltepso", "amondys", "tegsedi", "wainua", "qalsody", "genasense",
            "g3139", "isis #", "antisense*", "sirna*", "small interfering rna*", "rnai", "rna interference",
            "shrna*", "antagomir*", "mirna mimic*", "microrna mimic*", "gapmer*", "morpholino*", "exon skipping",
            "mrna", "mrnas", "messenger rna", "self amplifying rna", "sarna",
        ]),
        CGTRule.group(.type(.rnaOrAntisense), interventionsOnly: true, ["aso", "asos", "pmo"]),

        // Vaccines against infections (see docs/CGT.md): these two markers together drop RNA and in-vivo signals.
        CGTRule.group(.vaccine, [
            "vaccine*", "vaccination*", "immunization*", "immunisation*", "immunogenicity", "immunogenic",
        ]),
        CGTRule.group(.infectiousDisease, [
            "covid*", "sars", "sars cov*", "coronavirus*", "influenza*", "flu", "h1n1", "h5n1", "rsv",
            "respiratory syncytial", "hiv*", "aids", "cytomegalovirus*", "cmv", "zika", "ebola*", "hepatitis",
            "malaria*", "plasmodium", "tuberculosis", "rabies", "smallpox", "variola", "monkeypox", "mpox",
            "papillomavirus*", "hpv*", "zoster", "varicella", "dengue", "chikungunya", "measles", "mumps", "rubella",
            "pneumococc*", "meningococc*", "infection*", "infectious", "pertussis", "diphtheria", "tetanus",
            "poliomyelitis", "yellow fever", "herpes", "norovirus", "rotavirus", "lassa", "marburg", "nipah",
            "anthrax", "plague", "cholera", "typhoid", "shigell*", "clostridi*", "staphylococc*", "streptococc*",
            "hantavirus", "west nile", "japanese encephalitis", "virus diseases", "communicable", "epstein barr",
            "lyme", "chlamydia*", "gonorrh*", "hookworm", "schistosom*", "leishmania*", "candida*",
        ]),
    ].flatMap { $0 }
}
