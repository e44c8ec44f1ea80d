import Foundation
import GRDB

extension SQLiteStateStore {
    /// Refuses a directory and creates the missing parent directories of `path`.
    ///
    /// - Returns: Whether a file is already there.
    static func prepareDirectory(for path: String) throws -> Bool {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw StoreError.isDirectory(path: path) }
            return true
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        if files.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue { return false }
        do {
            try files.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError.cannotCreateDirectory(
                path: path, directory: directory.path, reason: reasonDirectoryFails(directory, error))
        }
        return false
    }

    /// The nearest existing ancestor explains most failures: it is a file, or it cannot be written to.
    private static func reasonDirectoryFails(_ directory: URL, _ error: any Error) -> String {
        var ancestor = directory
        while ancestor.pathComponents.count > 1 {
            ancestor = ancestor.deletingLastPathComponent()
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
                if !isDirectory.boolValue { return "\(ancestor.path) is a file, not a directory" }
                break
            }
        }
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
            let code = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return String(cString: strerror(code.rawValue))
        }
        return nsError.localizedDescription
    }

    /// Maps an SQLite failure while opening to the ``StoreError`` that tells the user what to do.
    static func openError(_ error: DatabaseError, path: String) -> StoreError {
        let message = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return .notAStateFile(path: path, reason: "SQLite said: \(message)")
        default:
            return .cannotOpen(path: path, sqliteMessage: message)
        }
    }

    /// Refuses a file that is not a Ballast state file or was written by a newer build, without changing it.
    ///
    /// This runs on a read-only connection before the pool opens, because opening the pool switches the file to
    /// WAL mode: a database of another program passed by mistake must be left exactly as it was.
    static func inspect(path: String) throws {
        var readOnly = GRDB.Configuration()
        readOnly.readonly = true
        let (foreignTables, unknownMigrations): ([String], [String])
        do {
            let queue = try DatabaseQueue(path: path, configuration: readOnly)
            (foreignTables, unknownMigrations) = try queue.read { db -> ([String], [String]) in
                let tables = try String.fetchAll(
                    db,
                    sql: """
                        SELECT name FROM sqlite_master
                        WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'
                        ORDER BY name
                        """)
                guard try db.tableExists("grdb_migrations") else { return (tables, []) }
                let known = Set(StateSchema.knownMigrations)
                return ([], try StateSchema.migrator.appliedIdentifiers(db).filter { !known.contains($0) }.sorted())
            }
            try queue.close()
        } catch let error as DatabaseError {
            throw openError(error, path: path)
        }
        if !foreignTables.isEmpty {
            throw StoreError.notAStateFile(
                path: path,
                reason:
                    "it is a SQLite database of another program, with the tables \(foreignTables.joined(separator: ", "))"
            )
        }
        if !unknownMigrations.isEmpty {
            throw StoreError.newerSchema(path: path, unknownMigrations: unknownMigrations)
        }
    }
}
