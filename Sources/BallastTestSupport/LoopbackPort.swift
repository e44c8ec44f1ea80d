import Foundation

/// A port on 127.0.0.1 that was free a moment ago: the kernel's choice for a socket bound to port 0.
///
/// For servers a test starts as separate processes, which must be told their port; servers in the test
/// process bind port 0 themselves.
public func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw WaitTimeout(description: "Could not open a socket to find a free port.") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let result = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
            guard bind(fd, pointer, length) == 0 else { return -1 }
            return getsockname(fd, pointer, &length)
        }
    }
    guard result == 0 else { throw WaitTimeout(description: "Could not bind a loopback socket to find a free port.") }
    return Int(UInt16(bigEndian: address.sin_port))
}
