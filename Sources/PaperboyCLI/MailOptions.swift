import ArgumentParser
import Digests
import Foundation
import Mail
import NIOSSL

/// The mail relay and sender, shared by `serve` (confirmation emails, scheduled digests) and
/// `digest send`. Each option can come from the environment instead (PAPERBOY_SMTP_HOST and so
/// on), which keeps the password off the command line, where other users can see it.
struct MailOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The SMTP relay's host name. Default: $PAPERBOY_SMTP_HOST; without one, no email is sent.", valueName: "host"))
    var smtpHost: String?

    @Option(help: ArgumentHelp("The relay's port. Default: $PAPERBOY_SMTP_PORT, else 587.", valueName: "port"))
    var smtpPort: Int?

    @Option(help: ArgumentHelp(
        "STARTTLS: 'required' (refuse a relay without it), 'opportunistic' (when offered) or 'never'. Default: $PAPERBOY_SMTP_TLS, else required.",
        valueName: "mode"))
    var smtpTLS: String?

    @Option(help: ArgumentHelp(
        "A PEM file of certificates to trust for STARTTLS instead of the system's (a relay with its own CA). Default: $PAPERBOY_SMTP_CA_FILE.",
        valueName: "path"))
    var smtpCAFile: String?

    @Option(help: ArgumentHelp("The user name for SMTP AUTH. Default: $PAPERBOY_SMTP_USER; none: no AUTH.", valueName: "name"))
    var smtpUser: String?

    @Option(help: ArgumentHelp(
        "A file whose first line is the SMTP password. Default: $PAPERBOY_SMTP_PASSWORD (the password itself).", valueName: "path"))
    var smtpPasswordFile: String?

    @Option(help: ArgumentHelp(
        "Who the emails come from, e.g. 'Paperboy <digest@papers.example.org>'. Default: $PAPERBOY_MAIL_FROM.", valueName: "address"))
    var mailFrom: String?

    private var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// Whether a relay is configured at all.
    var isConfigured: Bool { (smtpHost ?? environment["PAPERBOY_SMTP_HOST"]).map { !$0.isEmpty } ?? false }

    func smtpConfiguration() throws -> SMTPConfiguration {
        guard let host = smtpHost ?? environment["PAPERBOY_SMTP_HOST"], !host.isEmpty else {
            throw ValidationError("no mail relay: give --smtp-host (or set PAPERBOY_SMTP_HOST)")
        }
        let portText = smtpPort.map(String.init) ?? environment["PAPERBOY_SMTP_PORT"] ?? "587"
        guard let port = Int(portText), (1...65_535).contains(port) else { throw ValidationError("--smtp-port \(portText): not a port number") }
        let mode = (smtpTLS ?? environment["PAPERBOY_SMTP_TLS"] ?? "required").lowercased()
        let security: SMTPTransportSecurity
        switch mode {
        case "required": security = .required
        case "opportunistic": security = .opportunistic
        case "never": security = .never
        default: throw ValidationError("--smtp-tls \(mode): must be required, opportunistic or never")
        }
        var configuration = SMTPConfiguration(host: host, port: port, transportSecurity: security)
        if let caFile = smtpCAFile ?? environment["PAPERBOY_SMTP_CA_FILE"] {
            do {
                configuration.tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw ValidationError("--smtp-ca-file \(caFile): cannot read certificates (\(error))")
            }
        }
        if let user = smtpUser ?? environment["PAPERBOY_SMTP_USER"], !user.isEmpty {
            let password: String
            if let file = smtpPasswordFile {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                    throw ValidationError("--smtp-password-file \(file): cannot be read")
                }
                password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            } else if let fromEnvironment = environment["PAPERBOY_SMTP_PASSWORD"] {
                password = fromEnvironment
            } else {
                throw ValidationError("--smtp-user \(user) needs a password: --smtp-password-file or PAPERBOY_SMTP_PASSWORD")
            }
            configuration.credentials = SMTPCredentials(username: user, password: password)
        }
        return configuration
    }

    /// The sender address, parsed: `Name <local@domain>` or a bare address.
    func fromAddress() throws -> EmailAddress {
        guard let text = mailFrom ?? environment["PAPERBOY_MAIL_FROM"], !text.isEmpty else {
            throw ValidationError("no sender address: give --mail-from (or set PAPERBOY_MAIL_FROM), e.g. 'Paperboy <digest@papers.example.org>'")
        }
        do {
            if let open = text.lastIndex(of: "<"), text.hasSuffix(">") {
                let name = text[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return try EmailAddress(String(text[text.index(after: open)..<text.index(before: text.endIndex)]), displayName: name.isEmpty ? nil : name)
            }
            return try EmailAddress(text)
        } catch {
            throw ValidationError("--mail-from \(text): \(error)")
        }
    }
}

/// When digests go out: `serve`'s schedule, and the default period of `digest send`.
struct DigestTimeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The time of day digests go out, HH:MM. Default: $PAPERBOY_DIGEST_TIME, else 08:00.", valueName: "time"))
    var digestTime: String?

    @Option(help: ArgumentHelp("The time zone of --digest-time (an IANA name). Default: $PAPERBOY_DIGEST_TIME_ZONE, else UTC.", valueName: "zone"))
    var digestTimeZone: String?

    func schedule() throws -> DigestSchedule {
        let environment = ProcessInfo.processInfo.environment
        do {
            return try DigestSchedule(
                time: digestTime ?? environment["PAPERBOY_DIGEST_TIME"] ?? "08:00",
                timeZone: digestTimeZone ?? environment["PAPERBOY_DIGEST_TIME_ZONE"] ?? "UTC")
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
