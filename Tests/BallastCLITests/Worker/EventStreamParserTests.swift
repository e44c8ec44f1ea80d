import Testing

@testable import BallastCLI

/// The SSE parser of `ballast load`: the same events whatever the line ends and however the bytes are split.
struct EventStreamParserTests {
    typealias Event = EventStreamParser.Event

    static func data(_ text: String) -> Event { Event(data: Array(text.utf8), error: nil) }

    /// Feeds `stream` in pieces of `piece` bytes and returns every event.
    static func parse(_ stream: String, piece: Int) -> [Event] {
        var parser = EventStreamParser()
        var events: [Event] = []
        let bytes = Array(stream.utf8)
        var offset = 0
        while offset < bytes.count {
            parser.append(bytes[offset..<min(bytes.count, offset + piece)])
            offset += piece
            while let event = parser.next() { events.append(event) }
        }
        return events
    }

    @Test(arguments: [
        ("data: {\"a\":1}\n\ndata: [DONE]\n\n", [data("{\"a\":1}"), data("[DONE]")]),
        ("data: {\"a\":1}\r\n\r\ndata: [DONE]\r\n\r\n", [data("{\"a\":1}"), data("[DONE]")]),
        ("data:{\"a\":1}\n\n", [data("{\"a\":1}")]),
        ("data:  two spaces\n\n", [data(" two spaces")]),
        ("data: one\ndata: two\n\n", [data("one\ntwo")]),
        (": ping\n\nevent: message\nid: 7\ndata: x\n\n", [data("x")]),
        ("error: {\"code\":500}\n\n", [Event(data: nil, error: Array("{\"code\":500}".utf8))]),
        ("\n\ndata: after a blank line\n\n", [data("after a blank line")]),
        ("data: no end yet", []),
    ])
    func eventsAreTheSameForEverySplit(stream: String, expected: [Event]) {
        for piece in [1, 2, 3, 7, 1000] {
            #expect(Self.parse(stream, piece: piece) == expected, "pieces of \(piece) bytes")
        }
    }

    @Test func unreadBytesAreWhatNoEventEndedYet() {
        var parser = EventStreamParser()
        parser.append(Array("data: a\n\ndata: b".utf8))
        #expect(parser.next() == Self.data("a"))
        #expect(parser.next() == nil)
        #expect(parser.unread == 7)
        parser.append(Array("\n\n".utf8))
        #expect(parser.next() == Self.data("b"))
        #expect(parser.unread == 0)
    }

    @Test func longStreamsCompactWithoutLosingEvents() {
        var parser = EventStreamParser()
        var seen = 0
        for i in 0..<5_000 {
            parser.append(Array("data: {\"n\":\(i)}\n\n".utf8))
            while let event = parser.next() {
                #expect(event == Self.data("{\"n\":\(seen)}"))
                seen += 1
            }
        }
        #expect(seen == 5_000)
        #expect(parser.unread == 0)
    }
}
