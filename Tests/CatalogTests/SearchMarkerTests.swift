import Catalog
import Testing

@Suite struct PorterStemmerTests {
    /// Pairs from Porter's paper and its published vocabulary, through every step.
    @Test(arguments: [
        ("caresses", "caress"), ("ponies", "poni"), ("cats", "cat"), ("feed", "feed"), ("agreed", "agre"),
        ("plastered", "plaster"), ("motoring", "motor"), ("sing", "sing"), ("conflated", "conflat"), ("troubled", "troubl"),
        ("sized", "size"), ("hopping", "hop"), ("falling", "fall"), ("hissing", "hiss"), ("filing", "file"), ("happy", "happi"),
        ("relational", "relat"), ("conditional", "condit"), ("rational", "ration"), ("digitizer", "digit"),
        ("operator", "oper"), ("feudalism", "feudal"), ("decisiveness", "decis"), ("hopefulness", "hope"),
        ("formality", "formal"), ("sensitivity", "sensit"), ("triplicate", "triplic"), ("formative", "form"),
        ("electrical", "electr"), ("goodness", "good"), ("revival", "reviv"), ("allowance", "allow"), ("inference", "infer"),
        ("adjustable", "adjust"), ("replacement", "replac"), ("adjustment", "adjust"), ("dependent", "depend"),
        ("adoption", "adopt"), ("communism", "commun"), ("effective", "effect"), ("probate", "probat"), ("rate", "rate"),
        ("cease", "ceas"), ("controlling", "control"), ("roll", "roll"), ("generalizations", "gener"), ("oscillators", "oscil"),
        ("generation", "gener"), ("generative", "gener"), ("models", "model"), ("networks", "network"), ("attention", "attent"),
    ])
    func stems(word: String, stem: String) {
        #expect(PorterStemmer.stem(word) == stem)
    }

    @Test func leavesShortWordsDigitsAndOtherScriptsAlone() {
        #expect(PorterStemmer.stem("is") == "is")
        #expect(PorterStemmer.stem("gpt4") == "gpt4")
        #expect(PorterStemmer.stem("模型") == "模型")
        #expect(PorterStemmer.stem("Models") == "Models", "callers lowercase first")
    }
}

@Suite struct SearchMarkerTests {
    let start = SearchHit.markStart, end = SearchHit.markEnd

    func paper(title: String, abstract: String) -> Paper {
        Paper(id: ArxivID("2501.00001")!, title: title, abstract: abstract)
    }

    @Test func marksStemsCaseAndAccentsAsTheIndexMatches() {
        let hit = SearchMarker(SearchQuery(parsing: "generation models naive")).hit(
            paper(title: "Generative Models for Naïve Bayes", abstract: "We model generations."), score: 2)
        #expect(hit.markedTitle == "\(start)Generative\(end) \(start)Models\(end) for \(start)Naïve\(end) Bayes")
        #expect(hit.markedSnippet == "We \(start)model\(end) \(start)generations\(end).")
        #expect(hit.score == 2)
    }

    @Test func aPhraseIsMarkedWholeAndOnlyInOrder() {
        let marker = SearchMarker(SearchQuery(parsing: "\"video generation\""))
        let hit = marker.hit(paper(title: "Video generation, generation of video", abstract: "No match."), score: 0)
        #expect(hit.markedTitle == "\(start)Video generation\(end), generation of video")
        #expect(hit.markedSnippet == "", "no match in the abstract: no snippet")
    }

    @Test func stopWordsAndExclusionsAreNotMarked() {
        let hit = SearchMarker(SearchQuery(parsing: "the attention -survey")).hit(
            paper(title: "The attention survey", abstract: "x"), score: 0)
        #expect(hit.markedTitle == "The \(start)attention\(end) survey")
    }

    @Test func theSnippetIsAWindowAroundTheMostDifferentMatches() {
        let filler = (1...60).map { "w\($0)" }.joined(separator: " ")
        let abstract = "Diffusion first. " + filler + " Then diffusion transformers together. " + filler
        let hit = SearchMarker(SearchQuery(parsing: "diffusion transformer")).hit(paper(title: "T", abstract: abstract), score: 0)
        #expect(hit.markedSnippet.hasPrefix("…"))
        #expect(hit.markedSnippet.hasSuffix("…"))
        #expect(hit.markedSnippet.contains("\(start)diffusion\(end) \(start)transformers\(end)"))
        #expect(!hit.markedSnippet.contains("Diffusion first"))
        let words = SearchQuery.words(in: hit.markedSnippet)
        #expect(words.count == SearchMarker.snippetWords)
    }

    @Test func aShortAbstractIsShownWhole() {
        let hit = SearchMarker(SearchQuery(parsing: "sparse")).hit(paper(title: "T", abstract: "Sparse attention, fast."), score: 0)
        #expect(hit.markedSnippet == "\(start)Sparse\(end) attention, fast.")
    }

    @Test func filtersAloneMarkNothing() {
        let marker = SearchMarker(SearchQuery(parsing: "category:cs.CL"))
        #expect(marker.isEmpty)
        let hit = marker.hit(paper(title: "A title", abstract: "An abstract"), score: 0)
        #expect(hit.markedTitle == "A title")
        #expect(hit.markedSnippet == "")
    }
}
