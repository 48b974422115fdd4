import Search
import Testing
import Trials

@Suite struct GeographyTests {
    let geography = Fixture.geography
    let montreal = GeoPoint(latitude: 45.5088, longitude: -73.5878)

    @Test func postalCodeResolvesToItsArea() throws {
        let h2x = try #require(geography.resolve("H2X"))
        #expect(Geography.kilometres(h2x, montreal) < 5)
        #expect(geography.resolve("h2x 1y4") == h2x)
        #expect(geography.resolve("H2X1Y4") == h2x)
    }

    @Test func cityNamesIgnoreAccentsAndCase() throws {
        let quebec = try #require(geography.resolve("Québec"))
        #expect(geography.resolve("QUEBEC") == quebec)
        #expect(geography.resolve("Quebec City") == quebec)
        #expect(Geography.kilometres(quebec, GeoPoint(latitude: 46.81, longitude: -71.21)) < 5)
        #expect(geography.resolve("Montreal") == geography.resolve("montréal"))
        #expect(geography.resolve("St-Jerome") == geography.resolve("Saint-Jérôme"))
        #expect(geography.resolve("St-Jerome") != nil)
    }

    @Test func coordinatesAndUnknownPlaces() {
        #expect(geography.resolve("45.5, -73.6") == GeoPoint(latitude: 45.5, longitude: -73.6))
        #expect(geography.resolve("Atlantis") == nil)
        #expect(geography.resolve("95,10") == nil)
    }

    @Test func haversineDistance() {
        let toronto = GeoPoint(latitude: 43.6532, longitude: -79.3832)
        let distance = Geography.kilometres(montreal, toronto)
        #expect(distance > 495 && distance < 510)
    }

    @Test(arguments: [
        ("Montréal", QuebecHealthRegion.montreal), ("Sherbrooke", .estrie), ("Quebec", .capitaleNationale),
        ("Lévis", .chaudiereAppalaches), ("Laval", .laval), ("Gatineau", .outaouais), ("Kirkland", .montreal),
        ("Trois-Rivières", .mauricieCentreDuQuebec), ("Rimouski", .basSaintLaurent), ("Longueuil", .monteregie),
        ("Saguenay", .saguenayLacSaintJean), ("Saint-Jérôme", .laurentides),
    ])
    func quebecSitesGetTheirHealthRegion(city: String, region: QuebecHealthRegion) {
        let place = geography.place(of: Location(city: city, country: "Canada"))
        #expect(place.province == .quebec)
        #expect(place.healthRegion == region)
        #expect(place.point != nil)
    }

    @Test func provinceFromStateCityOrCoordinates() {
        #expect(geography.place(of: Location(city: "Toronto", country: "Canada")).province == .ontario)
        #expect(geography.place(of: Location(city: "Toronto", country: "Canada")).healthRegion == nil)
        #expect(geography.place(of: Location(city: "Nowhere", state: "Québec", country: "Canada")).province == .quebec)
        let byPoint = geography.place(
            of: Location(country: "Canada", geo: GeoPoint(latitude: 45.40, longitude: -71.89)))
        #expect(byPoint.province == .quebec)
        #expect(byPoint.healthRegion == .estrie)
    }

    @Test func sitesOutsideCanadaKeepOnlyTheirOwnPoint() {
        let paris = GeoPoint(latitude: 48.85, longitude: 2.35)
        let place = geography.place(of: Location(city: "Paris", country: "France", geo: paris))
        #expect(place == SitePlace(point: paris, province: nil, healthRegion: nil))
    }

    @Test func regionCodes() {
        #expect(QuebecHealthRegion.montreal.code == "06")
        #expect(QuebecHealthRegion.terresCriesDeLaBaieJames.code == "18")
        #expect(QuebecHealthRegion.allCases.count == 18)
        #expect(Province(name: "Colombie-Britannique") == .britishColumbia)
        #expect(Province(name: "qc") == .quebec)
    }
}
