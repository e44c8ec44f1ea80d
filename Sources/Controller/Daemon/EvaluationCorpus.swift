import Foundation

/// The prompts and held text a quantization candidate is judged on, written next to the candidates so a
/// run can be repeated by hand with the same inputs.
enum EvaluationCorpus {
    /// Chat-style prompts of the kind a serving fleet answers; KL is measured over their next tokens.
    static let prompts = """
        Explain in two sentences why the sky looks blue during the day.
        Write a short Python function that returns the factorial of a number.
        What are three things to check before deploying a web service to production?
        Summarise the plot of a story about a lighthouse keeper who finds a message in a bottle.
        Translate "good morning, how are you?" into French and Spanish.
        List the planets of the solar system in order from the sun.
        Give one advantage and one drawback of caching database queries in memory.
        Describe how a bicycle gear system makes climbing hills easier.
        """

    /// Plain English prose for perplexity: varied vocabulary, no markup.
    static let text = """
        The harbour town woke slowly in winter. Before the light came, the bakers had already lit their ovens, and \
        the smell of bread drifted down the narrow streets toward the water. Fishing boats rocked against the quay, \
        their ropes creaking as the tide turned. An old man walked along the sea wall every morning at the same hour, \
        carrying a flask of tea and a notebook in which he wrote down the weather, the colour of the sea, and the \
        names of the boats that had gone out.

        Most people in the town had stopped asking him why he kept the notebooks. His neighbour said there were more \
        than forty of them stacked in a cupboard, each one filled from the first page to the last. When a storm \
        damaged the harbour lights one autumn, the engineers who came to repair them asked to see the notebooks, \
        because nobody else had recorded how high the waves had reached over the years. The old man lent them \
        without a word, and the engineers used his numbers to decide how much higher the new wall should be.

        A computer network behaves in some ways like that harbour. Requests arrive in waves, some small and some \
        large, and the servers that answer them must be ready before the crowd reaches the door. If too few servers \
        are running, people wait in a queue and some give up. If too many are running, the electricity and rent are \
        wasted on machines that sit idle. Good operators keep records, as the old man did, so that they can tell \
        the difference between an ordinary busy evening and the beginning of a real storm.

        Measuring is only half of the work. The other half is deciding what to do with the measurements, and doing \
        it calmly. A team that adds ten servers every time a graph twitches will spend its budget on noise, while a \
        team that waits for certainty will react too late. The best rules are simple enough to explain to a new \
        colleague in a minute, strict about what counts as evidence, and patient enough to let a change take effect \
        before making the next one.
        """

    static func promptsPath(in directory: String) -> String {
        (directory as NSString).appendingPathComponent("eval-prompts.txt")
    }

    static func textPath(in directory: String) -> String {
        (directory as NSString).appendingPathComponent("eval-text.txt")
    }

    /// Writes both files into `directory`, replacing older copies.
    static func write(into directory: String) throws {
        try Data(prompts.utf8).write(to: URL(fileURLWithPath: promptsPath(in: directory)), options: .atomic)
        try Data(text.utf8).write(to: URL(fileURLWithPath: textPath(in: directory)), options: .atomic)
    }
}
