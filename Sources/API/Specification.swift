import Foundation

/// Where the OpenAPI document the generated code was made from is, so the server can publish it unchanged.
public let specificationURL: URL? = Bundle.module.url(forResource: "openapi", withExtension: "yaml")
