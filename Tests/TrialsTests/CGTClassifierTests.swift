import Testing
@testable import Trials

@Test func placeholder() { #expect(CGTClassification.notCGT.isCGT == false) }
