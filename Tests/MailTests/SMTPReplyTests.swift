import Testing

@testable import Mail

@Suite struct SMTPReplyTests {
    static func parse(_ chunks: [String]) throws -> [SMTPReply] {
        var parser = SMTPReplyParser()
        var replies: [SMTPReply] = []
        for chunk in chunks {
            parser.append(Array(chunk.utf8))
            while let reply = try parser.nextReply() { replies.append(reply) }
        }
        return replies
    }

    @Test func decodesMultiLineRepliesSplitAnywhere() throws {
        let wire = "250-smtp.example.org\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 AUTH PLAIN LOGIN\r\n"
        // Every split of the bytes into two reads gives the same single reply.
        for cut in 0...wire.utf8.count {
            let bytes = Array(wire.utf8)
            var parser = SMTPReplyParser()
            var replies: [SMTPReply] = []
            parser.append(bytes[..<cut])
            while let reply = try parser.nextReply() { replies.append(reply) }
            parser.append(bytes[cut...])
            while let reply = try parser.nextReply() { replies.append(reply) }
            #expect(replies == [SMTPReply(code: 250, lines: ["smtp.example.org", "PIPELINING", "SIZE 1000", "AUTH PLAIN LOGIN"])])
        }
    }

    @Test func decodesSeveralRepliesInOneRead() throws {
        // What a pipelining server sends back for MAIL, RCPT, RCPT, DATA.
        let replies = try Self.parse(["250 2.1.0 OK\r\n250 2.1.5 OK\r\n550 5.1.1 no such user\r\n354 go ahead\r\n"])
        #expect(replies.map(\.code) == [250, 250, 550, 354])
        #expect(replies[2].kind == .permanentNegative)
        #expect(replies[2].enhancedStatusCode == "5.1.1")
        #expect(replies[2].text == "5.1.1 no such user")
        #expect(replies[3].kind == .positiveIntermediate)
    }

    @Test func acceptsBareLineFeedsAndCodeOnlyLines() throws {
        let replies = try Self.parse(["220 ready\n", "250\r\n"])
        #expect(replies == [SMTPReply(code: 220, lines: ["ready"]), SMTPReply(code: 250, lines: [""])])
    }

    @Test(arguments: ["hello\r\n", "2x0 bad\r\n", "250_odd\r\n", "650 out of range\r\n", "250-first\r\n251 second\r\n"])
    func rejectsMalformedReplies(wire: String) {
        #expect(throws: SMTPProtocolError.self) { try Self.parse([wire]) }
    }

    @Test func refusesEndlessLines() {
        #expect(throws: SMTPProtocolError.self) { try Self.parse(["250 " + String(repeating: "x", count: 5000)]) }
    }

    @Test func classifiesReplyCodes() {
        #expect(SMTPReply(code: 250, lines: []).kind == .positiveCompletion)
        #expect(SMTPReply(code: 451, lines: []).kind == .transientNegative)
        #expect(SMTPReply(code: 535, lines: []).kind == .permanentNegative)
        #expect(SMTPError(.rejected(SMTPReply(code: 451, lines: ["later"])), during: "DATA").isTransient)
        let permanent = SMTPError(.rejected(SMTPReply(code: 550, lines: ["5.1.1 no such user"])), during: "RCPT TO:<x@y>")
        #expect(permanent.isPermanent)
        #expect(permanent.replyCode == 550)
        #expect(permanent.serverText == "5.1.1 no such user")
        #expect(permanent.description.contains("no such user"))
        #expect(permanent.description.contains("RCPT TO:<x@y>"))
        #expect(SMTPError(.timeout(.seconds(1)), during: "greeting").isTransient)
        #expect(SMTPError(.connectionClosed(nil), during: "DATA").isTransient)
        #expect(SMTPError(.startTLSUnavailable, during: "EHLO").isPermanent)
    }

    @Test func readsCapabilitiesFromEHLO() {
        let reply = SMTPReply(code: 250, lines: ["smtp.example.org greets you", "PIPELINING", "SIZE 35882577", "8BITMIME", "STARTTLS", "AUTH PLAIN LOGIN", "AUTH=XOAUTH2"])
        let capabilities = SMTPCapabilities(ehloReply: reply)
        #expect(capabilities.pipelining)
        #expect(capabilities.startTLS)
        #expect(capabilities.eightBitMIME)
        #expect(capabilities.sizeLimit == 35_882_577)
        #expect(capabilities.authMechanisms == ["PLAIN", "LOGIN", "XOAUTH2"])
        let bare = SMTPCapabilities(ehloReply: SMTPReply(code: 250, lines: ["old.example.org", "SIZE 0"]))
        #expect(!bare.pipelining && !bare.startTLS)
        #expect(bare.sizeLimit == nil)
        #expect(bare.authMechanisms.isEmpty)
    }

    @Test func backOffDoublesUpToTheLimit() {
        let policy = MailRetryPolicy(maximumAttempts: 6, baseDelay: .milliseconds(100), maximumDelay: .milliseconds(500))
        #expect((1...5).map { policy.delay(afterAttempt: $0) } == [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(500), .milliseconds(500),
        ])
    }
}
