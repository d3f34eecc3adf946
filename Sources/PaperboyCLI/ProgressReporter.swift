import Foundation

/// Shows how a long run is going: a redrawn bar with rate and ETA on a terminal, a plain log
/// line every few seconds otherwise (CI logs, cron mails).
final class ProgressReporter {
    private let label: String
    private let totalBytes: Int64?
    private let isTerminal: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drewBar = false

    init(label: String, totalBytes: Int64?) {
        self.label = label
        self.totalBytes = totalBytes.flatMap { $0 > 0 ? $0 : nil }
        isTerminal = isatty(STDERR_FILENO) == 1
    }

    /// Reports `records` done after reading `bytes` of the input.
    func update(records: Int, bytes: Int64) {
        let now = Date()
        let interval = isTerminal ? 0.1 : 5.0
        guard now.timeIntervalSince(lastDraw) >= interval else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let rate = Double(records) / elapsed
        var fraction: Double?
        if let totalBytes { fraction = min(1, Double(bytes) / Double(totalBytes)) }
        let eta = fraction.flatMap { $0 > 0.001 ? elapsed * (1 - $0) / $0 : nil }
        if isTerminal {
            let width = 28
            let filled = Int((fraction ?? 0) * Double(width))
            let bar = fraction == nil ? "" : "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(Int((fraction ?? 0) * 100))% "
            let line = "\(label) \(bar)\(records) records, \(Int(rate))/s" + (eta.map { ", ETA \(Self.clock($0))" } ?? "")
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            drewBar = true
        } else {
            let percent = fraction.map { " (\(Int($0 * 100))%)" } ?? ""
            let line = "\(label): \(records) records\(percent), \(Int(rate))/s" + (eta.map { ", ETA \(Self.clock($0))" } ?? "")
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// Clears the bar before the summary is printed.
    func finish() {
        if drewBar { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
