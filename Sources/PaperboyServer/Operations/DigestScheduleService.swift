import Digests
import Foundation
import Logging
import ServiceLifecycle

/// Sends the email digests from inside `serve`, at the configured time: it wakes every few
/// minutes, asks the schedule which digests are due, and runs the sender for each. The ledger
/// makes a run that finds everything sent cost a few queries, picks up retries that came due,
/// and keeps several instances on one database from sending any digest twice.
struct DigestScheduleService: Service {
    let schedule: DigestSchedule
    let interval: Duration
    /// Made when the service first needs it: the link secret comes from the store.
    let makeSender: @Sendable () async throws -> DigestSender
    let logger: Logger
    let now: @Sendable () -> Date

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var sender: DigestSender?
            while !Task.isCancelled {
                for period in schedule.duePeriods(at: now()) {
                    do {
                        if sender == nil { sender = try await makeSender() }
                        let report = try await sender!.run(period)
                        if report.delivered + report.failed + report.retried + report.skipped + report.inDoubt > 0 || report.stoppedBecause != nil {
                            logger.info("scheduled digests sent", metadata: ["report": "\(report)"])
                        }
                    } catch {
                        logger.error("scheduled digest run failed", metadata: ["period": "\(period)", "error": "\(error)"])
                    }
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
