import Catalog
import Testing

@Suite struct LinkFinderTests {
    @Test func findsGitHubRepositories() {
        #expect(LinkFinder.githubRepository(in: "Code: https://github.com/Xrvitd/ComboStoc.") == "https://github.com/Xrvitd/ComboStoc")
        #expect(LinkFinder.githubRepository(in: "see (https://github.com/a-b/c_d.git)") == "https://github.com/a-b/c_d")
        #expect(LinkFinder.githubRepository(in: "at github.com/owner/repo/tree/main") == "https://github.com/owner/repo")
        #expect(LinkFinder.githubRepository(in: "\\url{https://github.com/x/y}") == "https://github.com/x/y")
        #expect(LinkFinder.githubRepository(in: "no link here") == nil)
        #expect(LinkFinder.githubRepository(in: "https://github.com/topics/llm") == nil)
        #expect(LinkFinder.githubRepository(in: "https://github.com/onlyowner") == nil)
    }

    @Test func findsProjectPages() {
        #expect(LinkFinder.projectPage(in: "Project Website: rdd-neurips.github.io") == "https://rdd-neurips.github.io")
        #expect(LinkFinder.projectPage(in: "Project page: https://example.org/p.") == "https://example.org/p")
        #expect(LinkFinder.projectPage(in: "Demos at https://foo.github.io/bar") == "https://foo.github.io/bar")
        // A code link after "website" is not a project page.
        #expect(LinkFinder.projectPage(in: "website https://github.com/a/b") == nil)
        #expect(LinkFinder.projectPage(in: "We study graphs.") == nil)
    }
}
