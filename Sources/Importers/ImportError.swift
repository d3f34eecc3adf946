/// Why an input (or a part of it) could not be imported, in words that name the input and the
/// place in it.
public enum ImportError: Error, CustomStringConvertible, Equatable {
    /// The input cannot be opened or read at all.
    case unreadable(input: String, reason: String)
    /// The input's structure is broken at `position` (e.g. "line 12"); reading cannot go on.
    case malformed(input: String, position: String, reason: String)
    /// One element exceeded the size limit; the reader skipped it and can go on.
    case recordTooLarge(limit: Int)
    /// The input's format could not be recognised.
    case unknownFormat(input: String, reason: String)
    /// A server answered with an error (OAI-PMH `<error>`, an HTTP status).
    case remote(input: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let input, let reason): "\(input): cannot read: \(reason)"
        case .malformed(let input, let position, let reason): "\(input): \(position): \(reason)"
        case .recordTooLarge(let limit): "record larger than the \(limit / (1 << 20)) MiB limit, skipped"
        case .unknownFormat(let input, let reason): "\(input): unknown format: \(reason)"
        case .remote(let input, let reason): "\(input): \(reason)"
        }
    }
}
