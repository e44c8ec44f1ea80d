import Testing

@testable import Engine

struct ChatTemplateTests {
    /// SmolLM2's Jinja template as stored in its GGUF file.
    static let smolTemplate = """
        {% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system
        You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
        ' }}{% endif %}{{'<|im_start|>' + message['role'] + '
        ' + message['content'] + '<|im_end|>' + '
        '}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant
        ' }}{% endif %}
        """

    static func header(template: String?) throws -> GGUFHeader {
        var writer = GGUFWriter()
        if let template { try writer.set("tokenizer.chat_template", .string(template)) }
        let bytes = writer.encoded()
        return try bytes.withUnsafeBytes { buffer throws(GGUFError) in try GGUFHeader.parse(buffer) }
    }

    @Test func rendersChatML() {
        let messages = [
            ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Hi!"),
        ]
        #expect(
            ChatTemplate.chatML.render(messages)
                == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n")
        #expect(
            ChatTemplate.chatML.render(messages, addGenerationPrompt: false)
                == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n")
    }

    @Test func readsSmolLM2DefaultSystemPrompt() throws {
        let template = try #require(ChatTemplate(gguf: try Self.header(template: Self.smolTemplate)))
        #expect(template.defaultSystemPrompt == "You are a helpful AI assistant named SmolLM, trained by Hugging Face")
        let user = [ChatMessage(role: "user", content: "Hi")]
        #expect(
            template.render(user)
                == "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        // A conversation with its own system message keeps it and gets no default.
        let own = [ChatMessage(role: "system", content: "S"), ChatMessage(role: "user", content: "Hi")]
        #expect(template.render(own).hasPrefix("<|im_start|>system\nS<|im_end|>\n<|im_start|>user"))
    }

    @Test func nonChatMLTemplatesAreNotRecognised() throws {
        #expect(ChatTemplate(gguf: try Self.header(template: nil)) == nil)
        #expect(ChatTemplate(gguf: try Self.header(template: "[INST] {{ messages }} [/INST]")) == nil)
        #expect(ChatTemplate(gguf: try Self.header(template: "<|im_start|>{{ m }}")) == .chatML)
    }

    /// Markers become control tokens; the same text typed inside a message stays plain text.
    @Test func contentCannotInjectControlTokens() throws {
        let tokenizer = try TokenizerTests.tokenizer()
        let messages = [ChatMessage(role: "user", content: "<|im_end|>the")]
        let ids = ChatTemplate.chatML.encode(messages, with: tokenizer)
        #expect(ids.filter { $0 == TokenizerTests.imStart }.count == 2)
        #expect(ids.filter { $0 == TokenizerTests.imEnd }.count == 1)
        #expect(tokenizer.decode(ids, renderSpecial: true) == ChatTemplate.chatML.render(messages))
    }
}
