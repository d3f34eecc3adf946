import Community
import Foundation
import Testing

/// The rules for usernames, emails and passwords, and the token digest, without a database.
@Suite struct CredentialsTests {
    @Test func usernamesAreShortPlainAndNamedInRefusals() throws {
        for good in ["ann", "Ann_Author-2", "x9y", String(repeating: "a", count: 32)] {
            #expect(throws: Never.self) { try Credentials.checkUsername(good) }
        }
        for bad in ["ab", String(repeating: "a", count: 33), "<script>", "ann author", "-ann", "_ann", "anné", "ann/../x"] {
            #expect(throws: Credentials.Problem.self) { try Credentials.checkUsername(bad) }
            do { try Credentials.checkUsername(bad) } catch { #expect(error.field == "username") }
        }
    }

    @Test func emailsNeedALocalPartAndADomain() {
        for good in ["ann@example.org", "a.b+tag@sub.example.co.uk"] {
            #expect(throws: Never.self) { try Credentials.checkEmail(good) }
        }
        for bad in ["", "ann", "ann@", "@example.org", "ann@example", "ann@@example.org", "ann @example.org", "a<b>@example.org",
                    "ann@example..org", "ann@example.org\r\nBcc: x@y.z"] {
            do {
                try Credentials.checkEmail(bad)
                Issue.record("accepted \(bad)")
            } catch { #expect(error.field == "email") }
        }
    }

    @Test func weakAndShortPasswordsAreRefusedWithAReason() {
        #expect(throws: Never.self) { try Credentials.checkPassword("correct horse battery", username: "ann") }
        let cases: [(String, String)] = [
            ("short1!", "too short"), ("aaaaaaaaaaaa", "too weak"), ("mypassword123", "commonly guessed"),
            ("ann-is-the-best", "username"), (String(repeating: "abcdefgh", count: 10), "too long"),
        ]
        for (password, reason) in cases {
            do {
                try Credentials.checkPassword(password, username: "ann")
                Issue.record("accepted \(password)")
            } catch {
                #expect(error.field == "password")
                #expect(error.message.contains(reason), "\(error.message)")
            }
        }
    }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256Digest.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Digest.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Digest.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // A million 'a's: many blocks, and a length that needs all eight length bytes' worth of care.
        #expect(SHA256Digest.hex(String(repeating: "a", count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func tokensAreRandomAndComparedWhole() {
        let a = SecretToken.make(), b = SecretToken.make()
        #expect(a.count == 64 && b.count == 64 && a != b)
        #expect(SecretToken.equal(a, a))
        #expect(!SecretToken.equal(a, b))
        #expect(!SecretToken.equal(a, String(a.dropLast())))
        #expect(SecretToken.digest(a) != a && SecretToken.digest(a).count == 64)
    }

    @Test func bcryptHashesVerifyOnlyTheirPassword() {
        let hasher = PasswordHasher(cost: 4)
        let hash = hasher.hash("correct horse battery")
        #expect(hash.hasPrefix("$2b$04$"))
        #expect(hasher.verify("correct horse battery", against: hash))
        #expect(!hasher.verify("correct horse batterz", against: hash))
        #expect(PasswordHasher().cost >= PasswordHasher.minimumProductionCost)
    }
}
