import Mail
import Testing

@Suite struct EmailAddressTests {
    @Test(arguments: [
        "reader@example.org",
        "first.last+digest@mail.example.co.uk",
        "o'brien@example.org",
        "x@[192.0.2.1]",
        "a@localhost",
        "user@xn--bcher-kva.example",
    ])
    func acceptsValidAddresses(input: String) throws {
        let address = try EmailAddress(input)
        #expect(address.address == input)
    }

    @Test func keepsPartsAndDisplayName() throws {
        let address = try EmailAddress("digest@paperboy.example", displayName: "Paperboy Dïgest")
        #expect(address.localPart == "digest")
        #expect(address.domain == "paperboy.example")
        #expect(address.displayName == "Paperboy Dïgest")
        #expect(address.description == "Paperboy Dïgest <digest@paperboy.example>")
    }

    @Test(arguments: [
        ("", EmailAddressError.Reason.empty),
        ("reader.example.org", .missingAt),
        ("a@b@example.org", .moreThanOneAt),
        ("@example.org", .emptyLocalPart),
        ("reader@", .emptyDomain),
        ("reader@example.org\r\nRCPT TO:<victim@example.org>", .lineBreak(field: "address")),
        ("reader@example.org\nBcc: victim@example.org", .lineBreak(field: "address")),
        ("read\u{0}er@example.org", .controlCharacter(field: "address", codePoint: 0, offset: 4)),
        ("reader@exa\u{7F}mple.org", .controlCharacter(field: "address", codePoint: 0x7F, offset: 10)),
        (".reader@example.org", .misplacedDot(part: "local part")),
        ("re..ader@example.org", .misplacedDot(part: "local part")),
        ("reader@example..org", .misplacedDot(part: "domain")),
        ("rea der@example.org", .invalidCharacter(" ", part: "local part")),
        ("reader>@example.org", .invalidCharacter(">", part: "local part")),
        ("a,b@example.org", .invalidCharacter(",", part: "local part")),
        ("reader@exa_mple.org", .invalidCharacter("_", part: "domain")),
        ("reader@-example.org", .invalidLabel("-example")),
        ("reader@bücher.example", .nonASCIIDomain),
        ("\"quoted\"@example.org", .quotedLocalPart),
        ("x@[192.0.2.1", .invalidAddressLiteral),
    ] as [(String, EmailAddressError.Reason)])
    func rejectsInvalidAddresses(input: String, reason: EmailAddressError.Reason) {
        #expect(throws: EmailAddressError(input: input, reason: reason)) { try EmailAddress(input) }
    }

    @Test func enforcesRFC5321Lengths() {
        let local64 = String(repeating: "a", count: 64)
        #expect((try? EmailAddress("\(local64)@example.org")) != nil)
        #expect(throws: EmailAddressError(input: "\(local64)a@example.org", reason: .localPartTooLong(octets: 65, limit: 64))) {
            try EmailAddress("\(local64)a@example.org")
        }
        let label64 = String(repeating: "b", count: 64)
        #expect(throws: EmailAddressError(input: "a@\(label64).org", reason: .labelTooLong(label64, octets: 64, limit: 63))) {
            try EmailAddress("a@\(label64).org")
        }
        // 250 characters of domain in labels of 49 plus dots: every label legal, the whole too long.
        let domain = Array(repeating: String(repeating: "c", count: 49), count: 5).joined(separator: ".")
        let long = "reader@\(domain)"
        #expect(throws: EmailAddressError(input: long, reason: .addressTooLong(octets: long.utf8.count, limit: 254))) {
            try EmailAddress(long)
        }
    }

    @Test func rejectsLineBreakInDisplayName() {
        #expect(throws: EmailAddressError(input: "a@example.org", reason: .lineBreak(field: "display name"))) {
            try EmailAddress("a@example.org", displayName: "Evil\r\nBcc: victim@example.org")
        }
    }

    @Test func errorsSayWhatWasWrong() {
        do {
            _ = try EmailAddress("reader@example.org\r\nDATA")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("line break"))
            #expect(error.description.contains("reader@example.org"))
        }
        do {
            _ = try EmailAddress("reader.example.org")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("no '@'"))
        }
    }
}
