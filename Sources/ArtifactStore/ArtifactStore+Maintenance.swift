import Foundation

/// `alflow verify` and `alflow gc`.
extension ArtifactStore {
    public struct Problem: Equatable, Sendable {
        public var path: String
        public var reason: String
    }

    /// Every object file, with its key (nil for a file that is not named like one).
    public func objectFiles() -> [(path: String, key: String?)] {
        let manager = FileManager.default
        guard let folders = try? manager.contentsOfDirectory(atPath: layout.objects) else { return [] }
        var result: [(String, String?)] = []
        for folder in folders.sorted() {
            let path = layout.objects + "/" + folder
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
                result.append((path, nil))
                continue
            }
            for name in ((try? manager.contentsOfDirectory(atPath: path)) ?? []).sorted() {
                let key = name.hasSuffix(".h5") ? String(name.dropLast(3)) : ""
                let valid = StoreLayout.isKey(key) && key.hasPrefix(folder)
                result.append((path + "/" + name, valid ? key : nil))
            }
        }
        return result
    }

    /// Re-checks every object's format, key and payload digest. Reports,
    /// moves nothing: the next read of a damaged object quarantines it.
    public func verifyAll(progress: (Int, Int) -> Void = { _, _ in }) -> (checked: Int, problems: [Problem]) {
        let files = objectFiles()
        var problems: [Problem] = []
        for (index, file) in files.enumerated() {
            progress(index + 1, files.count)
            guard let key = file.key else {
                problems.append(Problem(path: file.path, reason: "a foreign file: not named <key>.h5 in its key's folder"))
                continue
            }
            do {
                _ = try ArtifactFile.read(file.path, expectedKey: key)
            } catch ArtifactFile.Problem.damaged(let reason) {
                problems.append(Problem(path: file.path, reason: reason))
            } catch ArtifactFile.Problem.newerFormat(let found) {
                problems.append(Problem(path: file.path, reason: "written by a newer alflow (object format \(found))"))
            } catch {
                problems.append(Problem(path: file.path, reason: "\(error)"))
            }
        }
        return (files.count, problems)
    }

    public struct Collection: Sendable {
        public var removed: [String] = []
        public var keptBusy: [String] = []
        public var bytes: Int64 = 0
    }

    /// Removes every object whose key is not in `roots` and not reachable
    /// from an active run; skips any whose lock a running process holds.
    /// Also removes orphaned checkpoints and stale temporary files.
    public func collectGarbage(roots: Set<String>, dryRun: Bool) throws -> Collection {
        var keep = roots
        for run in recordedRuns() where run.active { keep.formUnion(run.manifest.stages.map(\.key)) }
        var result = Collection()
        for file in objectFiles() {
            guard let key = file.key, !keep.contains(key) else { continue }
            guard let held = try tryLock(key) else {
                result.keptBusy.append(key)
                continue
            }
            let size = ((try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? NSNumber)?.int64Value ?? 0
            result.bytes += size
            result.removed.append(key)
            if !dryRun {
                unlink(file.path)
                unlink(layout.lock(key))
            }
            held.release()
        }
        if !dryRun {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: layout.partial)) ?? [] {
                let key = String(name.prefix(64))
                guard StoreLayout.isKey(key), !keep.contains(key), let held = try? tryLock(key) else { continue }
                unlink(layout.partial + "/" + name)
                held.release()
            }
            cleanTemporaryFiles()
            if !result.removed.isEmpty { try Durability.sync(layout.objects) }
        }
        return result
    }
}
