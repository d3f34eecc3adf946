import Embeddings
import Foundation
import Testing

@Suite struct SentenceEmbedderTests {
    /// Float32 products reproduce sentence-transformers to rounding; bfloat16 products move each
    /// vector by a cosine of a few 1e-5, which the requirement of 0.9999 allows.
    @Test(arguments: MatrixPrecision.allCases)
    func embeddingsMatchSentenceTransformersForEveryFixtureText(precision: MatrixPrecision) throws {
        let embedder = try TestModel.embedder(precision: precision)
        let references = TestModel.references
        let floor: Float = embedder.precision == .float32 ? 0.999_99 : 0.9999
        let started = Date()
        let vectors = embedder.embed(references.map(\.text))
        let seconds = Date().timeIntervalSince(started)
        try #require(vectors.count == references.count)

        var lowest: Float = 1
        for (vector, reference) in zip(vectors, references) {
            #expect(vector.count == 384)
            let similarity = cosine(vector, reference.embedding)
            #expect(similarity >= floor, "cosine \(similarity) for \(label(reference.text)) in \(embedder.precision)")
            lowest = min(lowest, similarity)
        }
        // Printed for people reading the log; never asserted (tests assert behaviour, not timings).
        print("SentenceEmbedderTests: \(embedder.precision) products: lowest cosine with the reference \(lowest) over \(references.count) texts; embedded in \(String(format: "%.2f", seconds)) s")
    }

    @Test func vectorsHaveUnitLength() throws {
        let vectors = try TestModel.embedder().embed(["", "Attention is all you need"])
        for vector in vectors {
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-4)
        }
    }

    /// Texts of very different lengths in one batch must not see each other (padding, masks,
    /// offsets), and splitting into passes must not change anything.
    @Test(arguments: MatrixPrecision.allCases)
    func aBatchOfMixedLengthsGivesTheSameVectorsAsOneByOne(precision: MatrixPrecision) throws {
        let embedder = try TestModel.embedder(precision: precision)
        let texts = ["", "a", TestModel.references[40].text, "naïve café résumé Ångström", TestModel.references[25].text, "日本語のテキストと中文混合 text"]
        let batched = embedder.embed(texts)
        // Small passes, run on two threads side by side.
        let split = try SentenceEmbedder(modelFolder: TestModel.folder, threads: 2, tokensPerPass: 300, precision: precision).embed(texts)
        #expect(batched.count == texts.count && split.count == texts.count)
        for (index, text) in texts.enumerated() {
            let alone = embedder.embed(text)
            for other in [batched[index], split[index]] {
                let largest = zip(alone, other).map { abs($0 - $1) }.max() ?? 1
                #expect(largest < 1e-5, "batched vector differs by \(largest) for \(label(text))")
            }
        }
    }

    @Test func similarTextsAreCloserThanUnrelatedOnes() throws {
        let vectors = try TestModel.embedder().embed([
            "Transformers for image classification", "Vision transformers classify images", "A recipe for apple pie",
        ])
        #expect(cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]))
    }

    @Test func anEmptyListGivesNoVectors() throws {
        #expect(try TestModel.embedder().embed([]).isEmpty)
    }
}
