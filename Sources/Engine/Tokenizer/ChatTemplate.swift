/// One message of a chat conversation.
public struct ChatMessage: Sendable, Equatable {
    /// Who speaks: `system`, `user`, `assistant` (or another role the model was trained with).
    public var role: String
    /// What was said.
    public var content: String

    /// Makes a message.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// The ChatML prompt format (`<|im_start|>role\ncontent<|im_end|>\n` per message), used by SmolLM2 and Qwen2.
///
/// Models that ship a Jinja `tokenizer.chat_template` in ChatML form are recognised from it; the engine does not
/// run Jinja, it renders ChatML directly and takes the default system prompt from the template, which is what
/// SmolLM2's template adds when a conversation has no system message.
public struct ChatTemplate: Sendable, Equatable {
    /// System prompt inserted when the first message is not from `system`; `nil` inserts none (default).
    public var defaultSystemPrompt: String?

    /// ChatML with no default system prompt.
    public static let chatML = ChatTemplate(defaultSystemPrompt: nil)

    /// Makes a ChatML template with an optional default system prompt.
    public init(defaultSystemPrompt: String?) {
        self.defaultSystemPrompt = defaultSystemPrompt
    }

    /// The template a GGUF file's `tokenizer.chat_template` describes, or `nil` when the file has none or it is
    /// not ChatML (it never mentions `<|im_start|>`).
    public init?(gguf header: GGUFHeader) {
        guard let template = header["tokenizer.chat_template"]?.string, template.contains("<|im_start|>") else {
            return nil
        }
        // SmolLM2 writes its default as '<|im_start|>system\n…<|im_end|>' inside a `loop.first` branch.
        let marker = "<|im_start|>system\n"
        var prompt: String?
        if template.contains("messages[0]['role'] != 'system'"),
            let start = template.firstRange(of: marker)?.upperBound,
            let end = template[start...].firstRange(of: "<|im_end|>")?.lowerBound
        {
            prompt = String(template[start..<end])
        }
        self.init(defaultSystemPrompt: prompt)
    }

    /// The prompt as text, for display and logs.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) -> String {
        segments(messages, addGenerationPrompt: addGenerationPrompt).map(\.text).joined()
    }

    /// Token ids of the prompt. Role headers and markers are parsed for special tokens; message contents are
    /// not, so a user who types `<|im_start|>` gets those characters, not a control token.
    public func encode(
        _ messages: [ChatMessage], with tokenizer: Tokenizer, addGenerationPrompt: Bool = true
    ) -> [Int] {
        segments(messages, addGenerationPrompt: addGenerationPrompt).flatMap {
            tokenizer.encode($0.text, parseSpecial: !$0.isContent)
        }
    }

    private func segments(
        _ messages: [ChatMessage], addGenerationPrompt: Bool
    ) -> [(text: String, isContent: Bool)] {
        var all = messages
        if let defaultSystemPrompt, all.first?.role != "system" {
            all.insert(ChatMessage(role: "system", content: defaultSystemPrompt), at: 0)
        }
        var out: [(text: String, isContent: Bool)] = []
        for message in all {
            out.append(("<|im_start|>" + message.role + "\n", false))
            out.append((message.content, true))
            out.append(("<|im_end|>\n", false))
        }
        if addGenerationPrompt { out.append(("<|im_start|>assistant\n", false)) }
        return out
    }
}
