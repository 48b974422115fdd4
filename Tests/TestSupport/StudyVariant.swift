import Foundation

/// A real ClinicalTrials.gov API v2 record under another NCT id, overall status and last-update date: what an import
/// of a new trial, or of a trial's next version, looks like to Passerelle.
public enum StudyVariant {
    public enum Failure: Error { case notAStudy }

    /// `raw` (one API v2 study) with its id, status and last-update date replaced.
    public static func json(from raw: Data, nctId: String, status: String, updated: String) throws -> Data {
        guard var document = try JSONSerialization.jsonObject(with: raw) as? [String: Any],
            var protocolSection = document["protocolSection"] as? [String: Any],
            var identification = protocolSection["identificationModule"] as? [String: Any],
            var statusModule = protocolSection["statusModule"] as? [String: Any]
        else { throw Failure.notAStudy }
        identification["nctId"] = nctId
        statusModule["overallStatus"] = status
        statusModule["lastUpdatePostDateStruct"] = ["date": updated, "type": "ACTUAL"]
        protocolSection["identificationModule"] = identification
        protocolSection["statusModule"] = statusModule
        document["protocolSection"] = protocolSection
        return try JSONSerialization.data(withJSONObject: document)
    }

    /// ``json(from:nctId:status:updated:)`` written to a file in `directory`; returns its path.
    public static func file(from raw: Data, nctId: String, status: String, updated: String, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("\(nctId)-\(status)-\(updated).json")
        try json(from: raw, nctId: nctId, status: status, updated: updated).write(to: path)
        return path.path
    }
}
