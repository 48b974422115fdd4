import Foundation
import Trials

/// A Canadian province or territory.
public enum Province: String, Sendable, Codable, CaseIterable {
    case quebec = "QC", ontario = "ON", britishColumbia = "BC", alberta = "AB", manitoba = "MB"
    case saskatchewan = "SK", novaScotia = "NS", newBrunswick = "NB", newfoundlandAndLabrador = "NL"
    case princeEdwardIsland = "PE", yukon = "YT", northwestTerritories = "NT", nunavut = "NU"

    /// Reads a name or a two-letter code in English or French, any case or accents ("Québec", "QC", "Quebec",
    /// "Colombie-Britannique", "Northwest Territory").
    public init?(name: String) {
        let key = Geography.placeKey(name)
        if let province = Province(rawValue: key.uppercased()) {
            self = province
            return
        }
        let names: [String: Province] = [
            "quebec": .quebec, "ontario": .ontario, "british columbia": .britishColumbia,
            "colombie britannique": .britishColumbia, "alberta": .alberta, "manitoba": .manitoba,
            "saskatchewan": .saskatchewan, "nova scotia": .novaScotia, "nouvelle ecosse": .novaScotia,
            "new brunswick": .newBrunswick, "nouveau brunswick": .newBrunswick,
            "newfoundland and labrador": .newfoundlandAndLabrador, "newfoundland": .newfoundlandAndLabrador,
            "terre neuve et labrador": .newfoundlandAndLabrador, "prince edward island": .princeEdwardIsland,
            "ile du prince edouard": .princeEdwardIsland, "yukon": .yukon, "yukon territory": .yukon,
            "northwest territories": .northwestTerritories, "northwest territory": .northwestTerritories,
            "territoires du nord ouest": .northwestTerritories, "nunavut": .nunavut, "nunavut territory": .nunavut,
        ]
        guard let province = names[key] else { return nil }
        self = province
    }
}

/// Québec's 18 health and social services regions (régions sociosanitaires, RSS), numbered as the ministry does.
public enum QuebecHealthRegion: Int, Sendable, Codable, CaseIterable {
    case basSaintLaurent = 1, saguenayLacSaintJean, capitaleNationale, mauricieCentreDuQuebec, estrie, montreal
    case outaouais, abitibiTemiscamingue, coteNord, nordDuQuebec, gaspesieIlesDeLaMadeleine, chaudiereAppalaches
    case laval, lanaudiere, laurentides, monteregie, nunavik, terresCriesDeLaBaieJames

    /// The two-digit code, "01" … "18".
    public var code: String { rawValue < 10 ? "0\(rawValue)" : "\(rawValue)" }

    /// The French name.
    public var name: String {
        [
            "Bas-Saint-Laurent", "Saguenay–Lac-Saint-Jean", "Capitale-Nationale", "Mauricie et Centre-du-Québec",
            "Estrie", "Montréal", "Outaouais", "Abitibi-Témiscamingue", "Côte-Nord", "Nord-du-Québec",
            "Gaspésie–Îles-de-la-Madeleine", "Chaudière-Appalaches", "Laval", "Lanaudière", "Laurentides",
            "Montérégie", "Nunavik", "Terres-Cries-de-la-Baie-James",
        ][rawValue - 1]
    }

    /// The RSS of a Québec administrative region as the places table spells it ("Monteregie",
    /// "Saguenay/Lac-Saint-Jean"). Nord-du-Québec covers three RSS; the caller splits it (see ``Geography``).
    init?(administrativeRegion: String) {
        let regions: [String: QuebecHealthRegion] = [
            "bas saint laurent": .basSaintLaurent, "saguenay lac saint jean": .saguenayLacSaintJean,
            "capitale nationale": .capitaleNationale, "mauricie": .mauricieCentreDuQuebec,
            "centre du quebec": .mauricieCentreDuQuebec, "estrie": .estrie, "montreal": .montreal,
            "outaouais": .outaouais, "abitibi temiscamingue": .abitibiTemiscamingue, "cote nord": .coteNord,
            "nord du quebec": .nordDuQuebec, "gaspesie iles de la madeleine": .gaspesieIlesDeLaMadeleine,
            "chaudiere appalaches": .chaudiereAppalaches, "laval": .laval, "lanaudiere": .lanaudiere,
            "laurentides": .laurentides, "monteregie": .monteregie,
        ]
        guard let region = regions[Geography.placeKey(administrativeRegion)] else { return nil }
        self = region
    }
}

/// Where a site is, as far as the geography tables can tell.
public struct SitePlace: Sendable, Equatable {
    public var point: GeoPoint?
    public var province: Province?
    public var healthRegion: QuebecHealthRegion?

    public init(point: GeoPoint?, province: Province?, healthRegion: QuebecHealthRegion?) {
        self.point = point
        self.province = province
        self.healthRegion = healthRegion
    }
}

/// Canadian geography from the shipped tables: postal areas (FSA) and places of 1,000+ inhabitants.
///
/// Contracts:
/// - ``resolve(_:)`` reads a postal code ("H2X", "h2x 1y4"), "lat,lon", or a place name (case, accents, hyphens
///   and "St"/"Ste" abbreviations ignored: "Montreal" = "Montréal", "Quebec" = "Québec", "St-Jerome" =
///   "Saint-Jérôme"); `nil` when nothing matches.
/// - ``place(of:)`` gives a site its point (the record's geo point, else its Canadian city's centroid), its province
///   (the record's state, else the city, else the nearest place to the point) and, in Québec, its health region
///   (the city's administrative region, else the nearest place's). Outside Canada only the record's point is kept.
public struct Geography: Sendable {
    struct Place: Sendable {
        var name: String
        var province: Province
        var point: GeoPoint
        var region: QuebecHealthRegion?
    }

    private var places: [Place] = []
    private var placesByKey: [String: [Int]] = [:]
    private var postalAreas: [String: GeoPoint] = [:]

    /// An empty geography: only "lat,lon" resolves, and sites keep only their own points.
    public init() {}

    /// Parses `canada_fsa_centroids.tsv` (fsa, city, province, latitude, longitude) and
    /// `canada_places_pop1000.tsv` (name, province, admin2, latitude, longitude), both with a header line.
    /// Malformed lines are skipped.
    public init(postalAreasTSV: String, placesTSV: String) {
        for columns in Self.rows(postalAreasTSV) where columns.count >= 5 {
            guard let point = Self.point(columns[3], columns[4]) else { continue }
            postalAreas[columns[0].uppercased()] = point
        }
        for columns in Self.rows(placesTSV) where columns.count >= 5 {
            guard let province = Province(name: columns[1]), let point = Self.point(columns[3], columns[4]) else {
                continue
            }
            var region: QuebecHealthRegion?
            if province == .quebec {
                region = Self.regionOverrides[Self.placeKey(columns[0])]
                    ?? QuebecHealthRegion(administrativeRegion: columns[2]).map { Self.split($0, at: point) }
            }
            placesByKey[Self.placeKey(columns[0]), default: []].append(places.count)
            places.append(Place(name: columns[0], province: province, point: point, region: region))
        }
        for index in places.indices where places[index].province == .quebec && places[index].region == nil {
            places[index].region = nearest(to: places[index].point) { $0.region != nil }?.region
        }
    }

    /// Places whose health region the administrative region does not give: Québec City and neighbours listed
    /// without a region (their nearest neighbour, Lévis, is across the river in another RSS), and the Cree
    /// communities of Eeyou Istchee (RSS 18, inside the Nord-du-Québec administrative region).
    private static let regionOverrides: [String: QuebecHealthRegion] = [
        "quebec": .capitaleNationale, "l ancienne lorette": .capitaleNationale, "pont rouge": .capitaleNationale,
        "chisasibi": .terresCriesDeLaBaieJames, "mistissini": .terresCriesDeLaBaieJames,
        "waskaganish": .terresCriesDeLaBaieJames, "wemindji": .terresCriesDeLaBaieJames,
        "eastmain": .terresCriesDeLaBaieJames, "nemaska": .terresCriesDeLaBaieJames,
        "waswanipi": .terresCriesDeLaBaieJames, "ouje bougoumou": .terresCriesDeLaBaieJames,
        "whapmagoostui": .terresCriesDeLaBaieJames,
    ]

    /// Nord-du-Québec holds three RSS: Nunavik north of the 55th parallel, the Cree communities of Eeyou Istchee,
    /// and the rest (Jamésie).
    private static func split(_ region: QuebecHealthRegion, at point: GeoPoint) -> QuebecHealthRegion {
        guard region == .nordDuQuebec else { return region }
        if point.latitude >= 55 { return .nunavik }
        return region
    }

    /// The point a user means by `text`: a postal code, "lat,lon" or a place name.
    public func resolve(_ text: String) -> GeoPoint? {
        let trimmed = text.trimmed
        let parts = trimmed.split(separator: ",")
        if parts.count == 2, let latitude = Double(String(parts[0]).trimmed), let longitude = Double(String(parts[1]).trimmed),
            abs(latitude) <= 90, abs(longitude) <= 180
        {
            return GeoPoint(latitude: latitude, longitude: longitude)
        }
        let compact = trimmed.uppercased().filter { $0 != " " }
        if compact.count >= 3, Self.isPostalPrefix(compact.prefix(3)), let point = postalAreas[String(compact.prefix(3))] {
            return point
        }
        let key = Self.placeKey(trimmed)
        let aliases = ["quebec city": "quebec", "ville de quebec": "quebec", "montreal city": "montreal"]
        return placesByKey[aliases[key] ?? key]?.first.map { places[$0].point }
    }

    /// What the tables say about one site (see the type's contract).
    public func place(of location: Location) -> SitePlace {
        let inCanada = location.country.map { Country.canonical($0) == "Canada" } ?? false
        guard inCanada else { return SitePlace(point: location.geo, province: nil, healthRegion: nil) }
        let stated = location.state.flatMap(Province.init(name:))
        let candidates = (location.city.flatMap { placesByKey[Self.placeKey($0)] } ?? [])
            .map { places[$0] }
            .filter { stated == nil || $0.province == stated }
        var point = location.geo ?? candidates.first?.point
        if point == nil, let postal = location.postalCode?.uppercased().filter({ $0 != " " }), postal.count >= 3 {
            point = postalAreas[String(postal.prefix(3))]
        }
        let match: Place?
        if candidates.count > 1, let geo = location.geo {
            match = candidates.min { Self.kilometres($0.point, geo) < Self.kilometres($1.point, geo) }
        } else if let first = candidates.first {
            match = first
        } else {
            match = point.flatMap { point in nearest(to: point) { _ in true } }
        }
        let province = stated ?? match?.province
        var region: QuebecHealthRegion?
        if province == .quebec {
            region = match?.province == .quebec ? match?.region : nil
            if region == nil, let point { region = nearest(to: point) { $0.region != nil }?.region }
        }
        return SitePlace(point: point, province: province, healthRegion: region)
    }

    private func nearest(to point: GeoPoint, where accept: (Place) -> Bool) -> Place? {
        var best: Place?
        var bestDistance = Double.infinity
        for place in places where accept(place) {
            let distance = Geography.kilometres(point, place.point)
            if distance < bestDistance {
                bestDistance = distance
                best = place
            }
        }
        return best
    }

    /// Great-circle distance in kilometres (haversine, Earth radius 6,371 km).
    public static func kilometres(_ a: GeoPoint, _ b: GeoPoint) -> Double {
        let radians = Double.pi / 180
        let dLat = (b.latitude - a.latitude) * radians
        let dLon = (b.longitude - a.longitude) * radians
        let h = sin(dLat / 2) * sin(dLat / 2)
            + cos(a.latitude * radians) * cos(b.latitude * radians) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * 6371 * asin(min(1, h.squareRoot()))
    }

    /// The comparison key of a place name: folded, "St"/"Ste" spelled out, punctuation as single spaces.
    static func placeKey(_ name: String) -> String {
        let words = Folding.fold(name).split { !$0.isLetter && !$0.isNumber }
        return words.map { word in
            switch word {
            case "st": "saint"
            case "ste": "sainte"
            default: String(word)
            }
        }.joined(separator: " ")
    }

    private static func isPostalPrefix(_ text: Substring) -> Bool {
        let characters = Array(text)
        return characters.count == 3 && characters[0].isLetter && characters[1].isNumber && characters[2].isLetter
    }

    private static func rows(_ tsv: String) -> [[String]] {
        tsv.split(separator: "\n").dropFirst().map { line in
            line.split(separator: "\t", omittingEmptySubsequences: false).map { String($0).trimmed }
        }
    }

    private static func point(_ latitude: String, _ longitude: String) -> GeoPoint? {
        guard let latitude = Double(latitude), let longitude = Double(longitude) else { return nil }
        return GeoPoint(latitude: latitude, longitude: longitude)
    }
}
