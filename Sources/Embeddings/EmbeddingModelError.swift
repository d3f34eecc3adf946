import Foundation

/// Why a model folder could not be loaded. Every case names the file (and the tensor or key where
/// there is one), so the message alone tells a user what to fix.
public enum EmbeddingModelError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The model folder, or a file the model needs, is not there.
    case missingFile(path: String)
    /// A file is there but could not be read (permissions, an I/O error).
    case unreadableFile(path: String, reason: String)
    /// A file's content is not what its format requires (truncated, bad JSON, a wrong field).
    case malformedFile(path: String, reason: String)
    /// The weights file lacks a tensor that the configuration calls for.
    case missingTensor(path: String, tensor: String)
    /// A tensor is there but has the wrong shape, type or byte range.
    case malformedTensor(path: String, tensor: String, reason: String)
    /// A valid model that uses something this implementation does not (an activation, a pooling mode).
    case unsupported(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            "\(path): no such file or folder"
        case .unreadableFile(let path, let reason):
            "\(path): cannot be read: \(reason)"
        case .malformedFile(let path, let reason):
            "\(path): \(reason)"
        case .missingTensor(let path, let tensor):
            "\(path): has no tensor named '\(tensor)'"
        case .malformedTensor(let path, let tensor, let reason):
            "\(path): tensor '\(tensor)': \(reason)"
        case .unsupported(let path, let reason):
            "\(path): not supported: \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
