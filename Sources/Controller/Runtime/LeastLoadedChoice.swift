/// Picks the backend for one request: the ready backend with the fewest requests in flight; among equals, the
/// one `rotation` points at, so equal backends take turns. Pure, so the front door's choice is tested with a table.
public enum LeastLoadedChoice {
    /// The index into `inFlight` of the chosen backend, skipping indices in `excluded` (a backend that just
    /// failed to connect); `nil` when none is left.
    ///
    /// - Parameters:
    ///   - inFlight: requests in flight per backend, in a stable order.
    ///   - excluded: indices not to choose.
    ///   - rotation: any counter that grows by one per request; ties go to the `rotation % ties`-th tied backend.
    public static func choose(inFlight: [Int], excluding excluded: Set<Int> = [], rotation: Int = 0) -> Int? {
        let open = inFlight.indices.filter { !excluded.contains($0) }
        guard let least = open.map({ inFlight[$0] }).min() else { return nil }
        let tied = open.filter { inFlight[$0] == least }
        let turn = rotation.magnitude % UInt(tied.count)
        return tied[Int(turn)]
    }
}
