import GRDB

/// The state file's tables, one named migration per schema version.
///
/// Migrations are append-only: a released migration is never edited, a change is a new migration. A file that
/// lists a migration this build does not know was written by a newer build and is refused, not guessed at.
enum StateSchema {
    /// Identifiers of every migration this build knows, oldest first.
    static var knownMigrations: [String] { ["v1-initial"] }

    /// The migrator that brings a file up to this build's schema.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-initial") { db in
            // JSON columns hold `Codable` records encoded with sorted keys; times are milliseconds since the epoch.
            try db.execute(
                sql: """
                    CREATE TABLE deployments (
                        policy TEXT PRIMARY KEY NOT NULL,
                        desired TEXT NOT NULL,
                        evaluator TEXT NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    -- AUTOINCREMENT: ids never come back after retention deletes the newest rows of a policy,
                    -- so `beforeID` paging and decision references stay unambiguous.
                    CREATE TABLE decisions (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        time INTEGER NOT NULL,
                        policy TEXT NOT NULL,
                        model TEXT NOT NULL,
                        version TEXT,
                        kind TEXT NOT NULL,
                        rule TEXT,
                        summary TEXT NOT NULL,
                        evaluation TEXT NOT NULL
                    );
                    CREATE INDEX decisions_policy_id ON decisions(policy, id);
                    -- No foreign key to decisions: retention may delete a decision an action still names.
                    CREATE TABLE actions (
                        key TEXT PRIMARY KEY NOT NULL,
                        decision_id INTEGER,
                        policy TEXT NOT NULL,
                        model TEXT NOT NULL,
                        version TEXT,
                        kind TEXT NOT NULL,
                        request TEXT NOT NULL,
                        desired TEXT,
                        status TEXT NOT NULL,
                        detail TEXT,
                        commands TEXT NOT NULL,
                        result TEXT,
                        created_at INTEGER NOT NULL,
                        finished_at INTEGER
                    );
                    CREATE INDEX actions_status ON actions(status);
                    CREATE INDEX actions_created_at ON actions(created_at);
                    CREATE TABLE events (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        time INTEGER NOT NULL,
                        level TEXT NOT NULL,
                        policy TEXT,
                        model TEXT,
                        version TEXT,
                        reason TEXT NOT NULL,
                        message TEXT NOT NULL
                    );
                    CREATE INDEX events_policy_id ON events(policy, id);
                    CREATE TABLE blobs (
                        key TEXT PRIMARY KEY NOT NULL,
                        value BLOB NOT NULL
                    );
                    """)
        }
        return migrator
    }
}
