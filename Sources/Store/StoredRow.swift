import GRDB

/// One fetched row with enough context to say which table, row and column failed when a value cannot be read.
struct StoredRow {
    /// The row as SQLite returned it.
    let row: Row
    /// The state file, for error messages.
    let path: String
    /// The table the row came from.
    let table: String
    /// The row's key as people would look it up: `key "r1/scale/1700000000000"`, `id 42`.
    let key: String

    /// A non-null column of SQLite type `Value`.
    func value<Value: DatabaseValueConvertible>(_ type: Value.Type, _ column: String) throws -> Value {
        do {
            return try row.decode(type, forColumn: column)
        } catch {
            throw failure(column, "expected \(type), found \(describe(row[column] as (any DatabaseValueConvertible)?))")
        }
    }

    /// A nullable column of SQLite type `Value`.
    func optional<Value: DatabaseValueConvertible>(_ type: Value.Type, _ column: String) throws -> Value? {
        do {
            return try row.decode(Value?.self, forColumn: column)
        } catch {
            throw failure(
                column, "expected \(type) or NULL, found \(describe(row[column] as (any DatabaseValueConvertible)?))")
        }
    }

    /// A non-null JSON text column decoded as `Value`.
    func json<Value: Decodable>(_ type: Value.Type, _ column: String) throws -> Value {
        let text = try value(String.self, column)
        do {
            return try JSONColumn.decode(type, from: text)
        } catch {
            throw failure(column, JSONColumn.explain(error))
        }
    }

    /// A nullable JSON text column decoded as `Value`.
    func optionalJSON<Value: Decodable>(_ type: Value.Type, _ column: String) throws -> Value? {
        guard let text = try optional(String.self, column) else { return nil }
        do {
            return try JSONColumn.decode(type, from: text)
        } catch {
            throw failure(column, JSONColumn.explain(error))
        }
    }

    /// A text column holding the raw value of `Value`.
    func raw<Value: RawRepresentable>(_ type: Value.Type, _ column: String) throws -> Value
    where Value.RawValue == String {
        let text = try value(String.self, column)
        guard let parsed = Value(rawValue: text) else {
            throw failure(column, "\"\(text)\" is not a known \(type)")
        }
        return parsed
    }

    private func failure(_ column: String, _ reason: String) -> StoreError {
        .unreadableRow(path: path, table: table, key: key, column: column, reason: reason)
    }

    private func describe(_ value: (any DatabaseValueConvertible)?) -> String {
        guard let value else { return "NULL" }
        switch value.databaseValue.storage {
        case .null: return "NULL"
        case .int64(let number): return "the integer \(number)"
        case .double(let number): return "the real \(number)"
        case .string(let text): return "the text \"\(text.prefix(40))\""
        case .blob(let data): return "a blob of \(data.count) bytes"
        }
    }
}
