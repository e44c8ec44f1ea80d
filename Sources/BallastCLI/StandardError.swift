import Foundation

/// Writes one line to standard error, where messages for people go when stdout carries data.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
