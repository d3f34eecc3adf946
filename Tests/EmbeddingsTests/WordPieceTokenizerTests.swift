import Embeddings
import Foundation
import Testing

@Suite struct WordPieceTokenizerTests {
    @Test func referenceFixtureHasEveryText() {
        #expect(TestModel.references.count == 59)
    }

    @Test func idsMatchTheReferenceTokenizerForEveryFixtureText() throws {
        let tokenizer = try TestModel.tokenizer()
        #expect(tokenizer.maxLength == 256)
        var matched = 0
        for reference in TestModel.references {
            let ids = tokenizer.encode(reference.text)
            #expect(ids == reference.input_ids, "ids differ for \(label(reference.text)): \(tokenizer.tokenize(reference.text).prefix(40))")
            if ids == reference.input_ids { matched += 1 }
        }
        print("WordPieceTokenizerTests: \(matched)/\(TestModel.references.count) fixture texts give the reference ids")
    }

    // The rules on a small vocabulary, so each case shows one rule.
    private func tiny(maxLength: Int = 512) throws -> WordPieceTokenizer {
        try WordPieceTokenizer(
            vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "a", "b", "!", "$", "cafe", "中", "文", "éa"],
            maxLength: maxLength)
    }

    @Test func splitsWordsIntoLongestPiecesWithContinuations() throws {
        #expect(try tiny().tokenize("unaffable") == ["un", "##aff", "##able"])
    }

    @Test func aWordThatCannotBeCoveredIsOneUnknown() throws {
        #expect(try tiny().tokenize("unaffablex a") == ["[UNK]", "a"])
    }

    @Test func wordsOverOneHundredCharactersAreUnknown() throws {
        let tokenizer = try tiny()
        #expect(tokenizer.tokenize(String(repeating: "a", count: 101)) == ["[UNK]"])
    }

    @Test func punctuationIncludingAsciiSymbolsIsSplitOff() throws {
        #expect(try tiny().tokenize("a!b$a") == ["a", "!", "b", "$", "a"])
    }

    @Test func lowerCasesStripsAccentsAndSplitsChineseCharacters() throws {
        // "É" lower-cases and loses its accent; the CJK ideographs need no spaces around them.
        #expect(try tiny().tokenize("CAFÉ中文") == ["cafe", "中", "文"])
    }

    @Test func dropsControlAndZeroWidthCharacters() throws {
        #expect(try tiny().tokenize("a\u{7}\u{200B}b\u{0}") == ["[UNK]"])  // "ab" is one word, not in the vocabulary
        #expect(try tiny().tokenize("a\u{A0}b\tcafe") == ["a", "b", "cafe"])
    }

    @Test func keepsAccentsWhenNotLowerCasing() throws {
        let cased = try WordPieceTokenizer(vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "éa"], lowercase: false)
        #expect(cased.tokenize("éa") == ["éa"])
        #expect(cased.tokenize("ÉA") == ["[UNK]"])
    }

    @Test func encodeAddsSpecialTokensAndCutsToTheMaximumLength() throws {
        let tokenizer = try tiny(maxLength: 4)
        #expect(tokenizer.encode("") == [2, 3])
        #expect(tokenizer.encode("a b a b") == [2, 7, 8, 3])
    }

    @Test func aVocabularyWithoutSpecialTokensIsRefused() {
        #expect(throws: EmbeddingModelError.self) { try WordPieceTokenizer(vocabulary: ["a", "b"]) }
    }
}
