/// Why the state file could not be opened, read or written. Every `description` is a sentence that names the
/// file (and the table, row and column where one is at fault) and says what to do.
public enum StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file exists but is not a SQLite database, or is a SQLite database of some other program.
    case notAStateFile(path: String, reason: String)
    /// The path names a directory.
    case isDirectory(path: String)
    /// The directory that should hold the file could not be created.
    case cannotCreateDirectory(path: String, directory: String, reason: String)
    /// SQLite could not open or create the file (permissions, read-only file system).
    case cannotOpen(path: String, sqliteMessage: String)
    /// The file was migrated by a newer build: it holds schema migrations this build does not know.
    case newerSchema(path: String, unknownMigrations: [String])
    /// A stored row cannot be turned back into a record (hand-edited JSON, an unknown status).
    case unreadableRow(path: String, table: String, key: String, column: String, reason: String)
    /// ``SQLiteStateStore/updateAction(key:status:detail:commands:result:at:)`` named a key that is not stored.
    case unknownAction(path: String, key: String)
    /// An action of a ``TickCommit`` names a decision index outside the commit's decisions.
    case decisionIndexOutOfRange(actionKey: String, index: Int64, decisionCount: Int)
    /// SQLite failed while reading or writing (disk full, I/O error, the file was locked for too long).
    case database(path: String, operation: String, sqliteMessage: String)

    /// A sentence naming where the problem is and what to do about it.
    public var description: String {
        switch self {
        case .notAStateFile(let path, let reason):
            return "\(path) is not a Ballast state file (\(reason)); pass another --state path or move it away."
        case .isDirectory(let path):
            return
                "\(path) is a directory, not a Ballast state file; pass a file path such as \(path)/state.sqlite to --state."
        case .cannotCreateDirectory(let path, let directory, let reason):
            return
                "Could not create the directory \(directory) for the state file \(path) (\(reason)); pass a --state path in a writable directory."
        case .cannotOpen(let path, let sqliteMessage):
            return
                "Could not open the state file \(path) (SQLite said: \(sqliteMessage)); make the file and its directory writable, or pass another --state path."
        case .newerSchema(let path, let unknownMigrations):
            return
                "\(path) was written by a newer Ballast (schema migrations \(unknownMigrations.joined(separator: ", ")) are unknown to this build); upgrade ballast, or pass another --state path."
        case .unreadableRow(let path, let table, let key, let column, let reason):
            return
                "\(path): table \(table), row \(key), column \(column) cannot be read (\(reason)); fix or delete that row with sqlite3, or move the file away to start from empty state."
        case .unknownAction(let path, let key):
            return
                "No action with key \"\(key)\" is stored in \(path); update only actions that a commit stored."
        case .decisionIndexOutOfRange(let actionKey, let index, let decisionCount):
            return
                "Action \"\(actionKey)\" refers to decision index \(index), but the commit holds \(decisionCount) decisions; set decisionID to an index into TickCommit.decisions or to nil."
        case .database(let path, let operation, let sqliteMessage):
            return
                "Could not \(operation) the state file \(path) (SQLite said: \(sqliteMessage)); check free disk space and the permissions of the file and its directory."
        }
    }
}
