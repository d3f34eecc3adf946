import ArgumentParser
import Community
import Foundation

/// `paperboy user`: accounts from the command line; the first admin is made here.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage accounts.",
        subcommands: [CreateUser.self, CreateToken.self]
    )
}

/// `paperboy user create`: one account, with its password from standard input or a file, never
/// from the command line (which other users of the machine can see in the process list).
struct CreateUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an account (the first admin, say).",
        discussion: """
            The password is read from --password-file, else from standard input (its first line;
            at a terminal it is asked for without echo). It must have at least \(Credentials.passwordMinimum) characters.
              paperboy user create --admin --username ann --email ann@example.org < password.txt
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Letters, digits, '-' and '_', 3 to 32 characters.")
    var username: String

    @Option(help: "The account's email address.")
    var email: String

    @Flag(help: "Make the account an admin.")
    var admin = false

    @Option(help: ArgumentHelp("The account's role: user, curator or admin. Default: user (admin with --admin).", valueName: "role"))
    var role: String?

    @Option(help: ArgumentHelp("A file whose first line is the password.", valueName: "path"))
    var passwordFile: String?

    @Option(help: ArgumentHelp("bcrypt's cost, 10 to 16. Default: \(PasswordHasher.productionCost).", valueName: "cost"))
    var passwordCost: UInt8 = PasswordHasher.productionCost

    func validate() throws {
        do {
            try Credentials.checkUsername(username)
            try Credentials.checkEmail(email)
        } catch {
            throw ValidationError("--\(error.field) \(error.message)")
        }
        if let role, Role(rawValue: role) == nil { throw ValidationError("--role \(role): must be user, curator or admin") }
        if admin, let role, role != Role.admin.rawValue { throw ValidationError("--admin and --role \(role) disagree: give one") }
        guard (PasswordHasher.minimumProductionCost...16).contains(passwordCost) else {
            throw ValidationError("--password-cost \(passwordCost): must be from \(PasswordHasher.minimumProductionCost) to 16")
        }
    }

    func run() async throws {
        let password = try readPassword()
        do {
            try Credentials.checkPassword(password, username: username)
        } catch {
            throw ValidationError("The password \(error.message)")
        }
        try await database.withCatalog { catalog in
            let hash = PasswordHasher(cost: passwordCost).hash(password)
            let role = admin ? Role.admin : role.flatMap(Role.init(rawValue:)) ?? .user
            do {
                let user = try await catalog.createUser(NewUser(username: username, email: email, passwordHash: hash, role: role), at: Date())
                print("created \(user.role.rawValue) \(user.username) <\(user.email)> (id \(user.id))")
            } catch let error as CommunityError {
                throw ValidationError(error.description)
            }
        }
    }

    private func readPassword() throws -> String {
        let line: String?
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw ValidationError("--password-file \(passwordFile): cannot read the file")
            }
            line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
        } else if isatty(STDIN_FILENO) == 1 {
            line = getpass("Password for \(username): ").map { String(cString: $0) }
        } else {
            line = readLine(strippingNewline: true)
        }
        guard var password = line, !password.isEmpty else {
            throw ValidationError("No password given: pipe it on standard input or use --password-file (never on the command line).")
        }
        if password.hasSuffix("\r") { password.removeLast() }
        return password
    }
}

/// `paperboy user token`: a personal API token for an account, printed once, for scripts and
/// service accounts set up without a browser (the account page makes them too).
struct CreateToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Make a personal API token for an account and print it (only the token goes to standard output).",
        discussion: """
              TOKEN=$(paperboy user token --username ann --name "nightly import")
              curl -H "Authorization: Bearer $TOKEN" -X POST http://127.0.0.1:8080/api/papers/2501.01234/upvote
            The account page lists it, and revokes it.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The account's username.")
    var username: String

    @Option(help: ArgumentHelp("What the token is for, as the account page lists it (1 to 60 characters).", valueName: "name"))
    var name = "command line"

    func validate() throws {
        guard (1...60).contains(name.count) else { throw ValidationError("--name: give 1 to 60 characters") }
    }

    func run() async throws {
        try await database.withCatalog { catalog in
            guard let user = try await catalog.user(username: username) else {
                throw ValidationError("--username \(username): there is no such account")
            }
            let token = NewAPIToken()
            _ = try await catalog.createAPIToken(userID: user.id, name: name, tokenDigest: token.digest, prefix: token.prefix, at: Date())
            print(token.token)
        }
    }
}
