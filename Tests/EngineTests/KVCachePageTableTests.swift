import Testing

@testable import Engine

struct KVCachePageTableTests {
    @Test func defaultPageSizeIsDocument000s() {
        #expect(KVPageTable.defaultPageSize == 256)
        #expect(KVPageTable(pageCount: 3).pageSize == 256)
    }

    /// (tokens appended in turn, pages owned after each append) with pages of 4 tokens.
    @Test(arguments: [
        ([1], [1]),
        ([4], [1]),
        ([5], [2]),
        ([3, 1, 1], [1, 1, 2]),
        ([8, 1, 7, 1], [2, 3, 4, 5]),
        ([0, 0], [0, 0]),
    ])
    func pagesGrowWithTheSequence(appends: [Int], pages: [Int]) {
        var table = KVPageTable(pageCount: 8, pageSize: 4)
        let s = table.createSequence()
        var length = 0
        for (tokens, expected) in zip(appends, pages) {
            #expect(table.append(tokens, to: s) == .reserved)
            length += tokens
            #expect(table.length(of: s) == length)
            #expect(table.pages(of: s)?.count == expected)
            #expect(table.freePageCount == 8 - expected)
        }
    }

    @Test func outOfPagesChangesNothing() {
        var table = KVPageTable(pageCount: 3, pageSize: 4)
        let a = table.createSequence()
        let b = table.createSequence()
        #expect(table.append(6, to: a) == .reserved)
        let before = table
        #expect(table.append(9, to: b) == .outOfPages(needed: 3, free: 1))
        #expect(table == before)
        #expect(table.length(of: b) == 0)
        #expect(table.pages(of: a) == [0, 1])
        // Growing inside the last page needs no page even when the pool is short.
        #expect(table.append(2, to: a) == .reserved)
        #expect(table.pages(of: a) == [0, 1])
        #expect(table.append(1, to: a) == .reserved)
        #expect(table.pages(of: a) == [0, 1, 2])
        #expect(table.append(1, to: b) == .outOfPages(needed: 1, free: 0))
    }

    @Test func freedPagesGoToTheNextSequenceAndNeverOverlap() {
        var table = KVPageTable(pageCount: 6, pageSize: 2)
        let a = table.createSequence()
        let b = table.createSequence()
        #expect(table.append(5, to: a) == .reserved)
        #expect(table.append(3, to: b) == .reserved)
        #expect(table.freePageCount == 1)
        table.free(a)
        #expect(table.length(of: a) == nil)
        #expect(table.pages(of: a) == nil)
        #expect(table.append(1, to: a) == .unknownSequence)
        #expect(table.freePageCount == 4)
        let c = table.createSequence()
        #expect(c != a)
        #expect(table.append(8, to: c) == .reserved)
        let owned = (table.pages(of: b) ?? []) + (table.pages(of: c) ?? [])
        #expect(Set(owned).count == owned.count)
        #expect(owned.count == 6)
        #expect(table.freePageCount == 0)
        table.free(a)  // freeing twice does nothing
        #expect(table.freePageCount == 0)
    }

    @Test(arguments: [(9, 4, 2), (8, 2, 1), (5, 0, 0), (5, 7, 2), (7, 6, 2)])
    func truncateReturnsUnneededPages(length: Int, to kept: Int, pages: Int) {
        var table = KVPageTable(pageCount: 4, pageSize: 3)
        let s = table.createSequence()
        #expect(table.append(length, to: s) == .reserved)
        table.truncate(s, to: kept)
        #expect(table.length(of: s) == min(length, kept))
        #expect(table.pages(of: s)?.count == pages)
        #expect(table.freePageCount == 4 - pages)
    }

    @Test func pagesNeededCountsOnlyNewPages() {
        var table = KVPageTable(pageCount: 10, pageSize: 256)
        let s = table.createSequence()
        #expect(table.pagesNeeded(s, toAppend: 1) == 1)
        #expect(table.pagesNeeded(s, toAppend: 513) == 3)
        #expect(table.append(300, to: s) == .reserved)
        #expect(table.pagesNeeded(s, toAppend: 212) == 0)
        #expect(table.pagesNeeded(s, toAppend: 213) == 1)
        #expect(table.pagesNeeded(SequenceID(rawValue: 42), toAppend: 5) == 0)
    }
}
