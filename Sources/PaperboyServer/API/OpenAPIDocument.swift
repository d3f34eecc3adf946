import Foundation
import Hummingbird

/// `/openapi.json`: the OpenAPI 3.1 description of every JSON endpoint. Written by hand, next
/// to the handlers it describes; the test suite checks it with a validator and checks real
/// responses against its schemas, so it cannot drift from what the server answers.
enum OpenAPIDocument {
    static func response(baseURL: String) -> BufferedResponse {
        let jsonString = baseURL.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let body = document.replacingOccurrences(of: "{{BASE_URL}}", with: jsonString)
        return BufferedResponse(status: .ok, contentType: "application/json; charset=utf-8", body: ByteBuffer(string: body))
    }

    static let document = """
        {
          "openapi": "3.1.0",
          "info": {
            "title": "Paperboy API",
            "version": "1.0.0",
            "summary": "Daily Papers, self-hosted: the Hugging Face Hub papers API, served from your own catalog.",
            "description": "Compatible with the Hugging Face Hub's papers endpoints: point a Hub client at this server (HF_ENDPOINT) and it works unchanged. Errors are JSON objects with an `error` message naming the parameter at fault.",
            "license": { "name": "MIT", "identifier": "MIT" }
          },
          "servers": [ { "url": "{{BASE_URL}}" } ],
          "paths": {
            "/api/daily_papers": {
              "get": {
                "operationId": "listDailyPapers",
                "summary": "Papers featured on a day, in a week or a month, or submitted by someone",
                "description": "Without date, week, month or submitter: the latest day with featured papers. Give at most one of date, week and month.",
                "parameters": [
                  { "name": "date", "in": "query", "description": "A day, YYYY-MM-DD.", "schema": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" }, "example": "2026-08-21" },
                  { "name": "week", "in": "query", "description": "An ISO 8601 week, YYYY-Www.", "schema": { "type": "string", "pattern": "^[0-9]{4}-W[0-9]{2}$" }, "example": "2026-W34" },
                  { "name": "month", "in": "query", "description": "A month, YYYY-MM.", "schema": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" }, "example": "2026-08" },
                  { "name": "submitter", "in": "query", "description": "Only papers this user submitted to the feed.", "schema": { "type": "string" } },
                  { "name": "sort", "in": "query", "description": "Most upvoted first when omitted; `publishedAt`: newest first; `trending`: upvotes discounted by age (upvotes / (hours since featured + 2)^1.5).", "schema": { "type": "string", "enum": ["publishedAt", "trending"] } },
                  { "$ref": "#/components/parameters/page" },
                  { "$ref": "#/components/parameters/limit" }
                ],
                "responses": {
                  "200": { "description": "The papers, best first.", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/DailyPaper" } } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" }
                }
              }
            },
            "/api/papers/search": {
              "get": {
                "operationId": "searchPapers",
                "summary": "Search the catalog",
                "description": "Hybrid by default: keyword search (BM25 over titles, weighted highest, authors and abstracts, with stemming) and semantic search (nearest sentence embeddings of title and abstract) merged by their min-max normalised scores (0.55 keyword, 0.45 semantic). Supports \\"quoted phrases\\", -word exclusion, author:name, category:cs.CL, from:YYYY[-MM[-DD]] and to:YYYY[-MM[-DD]] in every mode. Any text is accepted; an empty query finds nothing. Without an embedding model the server answers keyword results and says so in the X-Search-Mode and X-Search-Notice headers. Semantic and hybrid results go 1000 deep.",
                "parameters": [
                  { "name": "q", "in": "query", "description": "What to look for.", "schema": { "type": "string" }, "example": "agent memory" },
                  { "name": "mode", "in": "query", "description": "How to rank: `keyword` (papers with the words), `semantic` (papers that mean the query), `hybrid` (both, fused; the default).", "schema": { "type": "string", "enum": ["keyword", "semantic", "hybrid"], "default": "hybrid" } },
                  { "$ref": "#/components/parameters/page" },
                  { "$ref": "#/components/parameters/limit" }
                ],
                "responses": {
                  "200": {
                    "description": "Matching papers, best match first.",
                    "headers": {
                      "X-Search-Mode": { "description": "The mode that ran: the one asked, or keyword when semantic search is unavailable.", "schema": { "type": "string", "enum": ["keyword", "semantic", "hybrid"] } },
                      "X-Search-Notice": { "description": "Present when the mode that ran is not the one asked: why.", "schema": { "type": "string" } }
                    },
                    "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/DailyPaper" } } } }
                  },
                  "400": { "$ref": "#/components/responses/BadRequest" }
                }
              }
            },
            "/api/papers/{id}": {
              "get": {
                "operationId": "getPaper",
                "summary": "One paper by arXiv id",
                "description": "Any paper of the catalog, featured or not. Old-style ids contain a slash: /api/papers/hep-th/9901001.",
                "parameters": [
                  { "name": "id", "in": "path", "required": true, "description": "A versionless arXiv id.", "schema": { "type": "string" }, "example": "2608.19880" }
                ],
                "responses": {
                  "200": { "description": "The paper.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Paper" } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "404": { "description": "No such paper in the catalog.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
              }
            },
            "/api/papers/{id}/similar": {
              "get": {
                "operationId": "similarPapers",
                "summary": "Papers similar to one paper",
                "description": "The papers whose title and abstract are nearest in meaning (cosine of sentence embeddings), best first, the paper itself left out. Without an embedding model: the papers sharing most of its title's words (BM25). Old-style ids: /api/papers/hep-th/9901001/similar.",
                "parameters": [
                  { "name": "id", "in": "path", "required": true, "description": "A versionless arXiv id.", "schema": { "type": "string" }, "example": "2608.19880" },
                  { "name": "limit", "in": "query", "description": "How many papers.", "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 10 } }
                ],
                "responses": {
                  "200": { "description": "Similar papers, most similar first.", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/DailyPaper" } } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "404": { "description": "No such paper in the catalog.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
              }
            },
            "/api/papers/submit": {
              "post": {
                "operationId": "submitPaper",
                "summary": "Submit a paper to the daily feed",
                "description": "Features the paper today (the server's UTC day) with you as its submitter, and counts your upvote. paper_id is an arXiv id or URL: 2501.01234, 2501.01234v2, arxiv:2501.01234, https://arxiv.org/abs/2501.01234v3, https://arxiv.org/pdf/2501.01234, https://huggingface.co/papers/2501.01234, hep-th/9901001. Metadata come from the catalog, else from the arXiv API. The rules, as on hf.co/papers and configurable: the first version at most max_age_days old (7), not featured before, at most daily_cap_per_user submissions a day (3). Curators and admins may set them aside with override: true; others asking get 403. Needs a personal API token (make one on /account). A form-encoded body with the same fields works too.",
                "security": [ { "bearerToken": [] } ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "type": "object", "required": ["paper_id"],
                        "properties": {
                          "paper_id": { "type": "string", "description": "An arXiv id or the URL of its arXiv or Hugging Face page.", "example": "https://arxiv.org/abs/2501.01234v2" },
                          "comment": { "type": "string", "maxLength": 2000, "description": "What you say about the paper, kept with the submission." },
                          "override": { "type": "boolean", "default": false, "description": "Curators and admins: set the rules aside." }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "201": {
                    "description": "The paper, now featured today.",
                    "headers": { "Location": { "description": "The paper's API address.", "schema": { "type": "string" } } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Paper" } } }
                  },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": {
                    "description": "override asked by a user who is neither curator nor admin (rule override_not_allowed).",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SubmissionRefusal" } } }
                  },
                  "404": { "description": "Neither the catalog nor the arXiv API knows the paper.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                  "413": { "description": "The body is larger than the server accepts.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                  "422": {
                    "description": "A submission rule refuses the paper; rule names it.",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SubmissionRefusal" } } }
                  },
                  "429": { "$ref": "#/components/responses/TooManyRequests" },
                  "502": { "description": "The arXiv API could not be reached; nothing was saved.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
              }
            },
            "/api/collections": {
              "post": {
                "operationId": "createCollection",
                "summary": "Start a collection",
                "description": "A named list of papers, private (only you see it) unless public is true; a public one has a page and an RSS feed (/collections/{id}/feed.rss). Give paperId to start it with a paper. At most 100 collections per account. Needs a personal API token (make one on /account).",
                "security": [ { "bearerToken": [] } ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CollectionInput" } } } },
                "responses": {
                  "201": {
                    "description": "The new collection.",
                    "headers": { "Location": { "description": "The collection's API address.", "schema": { "type": "string" } } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Collection" } } }
                  },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "404": { "description": "paperId is not in the catalog.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                  "413": { "$ref": "#/components/responses/TooLarge" },
                  "422": { "$ref": "#/components/responses/CollectionRefused" },
                  "429": { "$ref": "#/components/responses/TooManyRequests" }
                }
              }
            },
            "/api/collections/{collectionId}": {
              "parameters": [ { "$ref": "#/components/parameters/collectionId" } ],
              "get": {
                "operationId": "getCollection",
                "summary": "A collection and its papers",
                "description": "Papers most recently added first, paged. A private collection is answered only to its owner's token; to anyone else it does not exist (404). A token is optional, but one that is sent must be valid.",
                "security": [ {}, { "bearerToken": [] } ],
                "parameters": [
                  { "$ref": "#/components/parameters/page" },
                  { "$ref": "#/components/parameters/limit" }
                ],
                "responses": {
                  "200": { "description": "The collection, with a page of its papers.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CollectionWithPapers" } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "404": { "$ref": "#/components/responses/CollectionNotFound" }
                }
              },
              "patch": {
                "operationId": "updateCollection",
                "summary": "Rename, describe, or make a collection public or private",
                "description": "Send any of name, description (null or an empty string removes it) and public. Only the owner may change a collection.",
                "security": [ { "bearerToken": [] } ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CollectionInput" } } } },
                "responses": {
                  "200": { "description": "The collection after the change.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Collection" } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "404": { "$ref": "#/components/responses/CollectionNotFound" },
                  "413": { "$ref": "#/components/responses/TooLarge" },
                  "422": { "$ref": "#/components/responses/CollectionRefused" }
                }
              },
              "delete": {
                "operationId": "deleteCollection",
                "summary": "Delete a collection",
                "description": "The collection and its list go; the papers stay in the catalog. Only the owner may delete it.",
                "security": [ { "bearerToken": [] } ],
                "responses": {
                  "204": { "description": "Deleted." },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "404": { "$ref": "#/components/responses/CollectionNotFound" }
                }
              }
            },
            "/api/collections/{collectionId}/papers/{paperId}": {
              "parameters": [
                { "$ref": "#/components/parameters/collectionId" },
                { "name": "paperId", "in": "path", "required": true, "description": "A versionless arXiv id (old-style ids: /api/collections/1/papers/hep-th/9901001).", "schema": { "type": "string" }, "example": "2608.19880" }
              ],
              "post": {
                "operationId": "addPaperToCollection",
                "summary": "Save a paper to a collection",
                "description": "Saving a paper that is already there changes nothing. At most 1000 papers per collection.",
                "security": [ { "bearerToken": [] } ],
                "responses": {
                  "200": { "description": "The collection after the change.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Collection" } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "404": { "description": "No such collection, or no such paper in the catalog.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                  "422": { "$ref": "#/components/responses/CollectionRefused" },
                  "429": { "$ref": "#/components/responses/TooManyRequests" }
                }
              },
              "delete": {
                "operationId": "removePaperFromCollection",
                "summary": "Take a paper out of a collection",
                "description": "Taking out a paper that is not there changes nothing.",
                "security": [ { "bearerToken": [] } ],
                "responses": {
                  "200": { "description": "The collection after the change.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Collection" } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "404": { "$ref": "#/components/responses/CollectionNotFound" }
                }
              }
            },
            "/api/users/{name}/collections": {
              "get": {
                "operationId": "listUserCollections",
                "summary": "Someone's public collections",
                "description": "Most recently changed first. With that user's own token, private collections are listed too.",
                "security": [ {}, { "bearerToken": [] } ],
                "parameters": [
                  { "name": "name", "in": "path", "required": true, "description": "A username (any case).", "schema": { "type": "string" }, "example": "ann" }
                ],
                "responses": {
                  "200": { "description": "The collections, without their papers.", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Collection" } } } } },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "404": { "description": "Nobody has that username.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
              }
            },
            "/api/papers/{id}/upvote": {
              "parameters": [
                { "name": "id", "in": "path", "required": true, "description": "A versionless arXiv id (old-style ids: /api/papers/hep-th/9901001/upvote).", "schema": { "type": "string" }, "example": "2608.19880" }
              ],
              "post": {
                "operationId": "upvotePaper",
                "summary": "Upvote a paper",
                "description": "One vote per user and paper: voting again changes nothing. The count is the Hub's imported count plus the votes cast here. Needs a personal API token (make one on /account).",
                "security": [ { "bearerToken": [] } ],
                "responses": {
                  "200": { "$ref": "#/components/responses/VoteTally" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "404": { "description": "No such paper in the catalog.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                  "429": { "$ref": "#/components/responses/TooManyRequests" }
                }
              },
              "delete": {
                "operationId": "withdrawUpvote",
                "summary": "Withdraw your upvote",
                "description": "Withdrawing a vote that is not there changes nothing.",
                "security": [ { "bearerToken": [] } ],
                "responses": {
                  "200": { "$ref": "#/components/responses/VoteTally" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "404": { "description": "No such paper in the catalog.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                  "429": { "$ref": "#/components/responses/TooManyRequests" }
                }
              }
            },
            "/api/papers/{id}/comments": {
              "parameters": [
                { "name": "id", "in": "path", "required": true, "description": "A versionless arXiv id (old-style ids: /api/papers/hep-th/9901001/comments).", "schema": { "type": "string" }, "example": "2608.19880" }
              ],
              "get": {
                "operationId": "listComments",
                "summary": "The discussion of a paper",
                "description": "Flat in reading order: each comment is followed by its replies (oldest first within a level); parentId and depth tell how to indent. A deleted comment with replies stays as a placeholder (deleted, no author or text); a hidden one gives the moderator's reason instead of its text.",
                "responses": {
                  "200": { "description": "The thread.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CommentThread" } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "404": { "description": "No such paper in the catalog.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
              },
              "post": {
                "operationId": "postComment",
                "summary": "Comment on a paper, or reply to a comment",
                "description": "Plain text, at most 5000 characters; links are kept, no markup is interpreted. Needs a personal API token; banned accounts are refused.",
                "security": [ { "bearerToken": [] } ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CommentInput" } } } },
                "responses": {
                  "201": { "$ref": "#/components/responses/Comment" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "404": { "description": "No such paper in the catalog.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                  "413": { "$ref": "#/components/responses/TooLarge" },
                  "429": { "$ref": "#/components/responses/TooManyRequests" }
                }
              }
            },
            "/api/comments/{commentId}": {
              "parameters": [
                { "name": "commentId", "in": "path", "required": true, "description": "The comment's number.", "schema": { "type": "integer", "minimum": 1 }, "example": 1 }
              ],
              "patch": {
                "operationId": "editComment",
                "summary": "Edit your comment",
                "description": "Only the comment's author may edit it; the comment is marked edited.",
                "security": [ { "bearerToken": [] } ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                  "type": "object", "required": ["text"], "properties": { "text": { "type": "string", "maxLength": 5000 } }
                } } } },
                "responses": {
                  "200": { "$ref": "#/components/responses/Comment" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "404": { "description": "No such comment.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                  "409": { "description": "The comment was deleted.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                  "413": { "$ref": "#/components/responses/TooLarge" },
                  "429": { "$ref": "#/components/responses/TooManyRequests" }
                }
              },
              "delete": {
                "operationId": "deleteComment",
                "summary": "Delete your comment",
                "description": "Only the comment's author may delete it. Its text goes; replies to it stay, under a placeholder.",
                "security": [ { "bearerToken": [] } ],
                "responses": {
                  "200": { "$ref": "#/components/responses/Comment" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "404": { "description": "No such comment.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                  "409": { "description": "The comment was already deleted.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
              }
            },
            "/api/comments/{commentId}/hide": {
              "parameters": [
                { "name": "commentId", "in": "path", "required": true, "description": "The comment's number.", "schema": { "type": "integer", "minimum": 1 }, "example": 1 }
              ],
              "post": {
                "operationId": "hideComment",
                "summary": "Hide a comment (curators and admins)",
                "description": "The comment's text is then shown to moderators only; everyone else sees the reason in its place, and it leaves the paper's numComments. Hiding a hidden comment again replaces the reason.",
                "security": [ { "bearerToken": [] } ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                  "type": "object", "required": ["reason"],
                  "properties": { "reason": { "type": "string", "enum": ["spam", "abuse", "off-topic", "resolved"] } }
                } } } },
                "responses": {
                  "200": { "$ref": "#/components/responses/Comment" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/NotAModerator" },
                  "404": { "description": "No such comment.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                  "413": { "$ref": "#/components/responses/TooLarge" },
                  "422": { "description": "The reason is missing or not one of spam, abuse, off-topic, resolved; the message lists them.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
              },
              "delete": {
                "operationId": "showComment",
                "summary": "Show a hidden comment again (curators and admins)",
                "description": "A comment that is not hidden stays as it is.",
                "security": [ { "bearerToken": [] } ],
                "responses": {
                  "200": { "$ref": "#/components/responses/Comment" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/NotAModerator" },
                  "404": { "description": "No such comment.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
              }
            },
            "/api/users/{name}/ban": {
              "parameters": [
                { "name": "name", "in": "path", "required": true, "description": "The account's username, in any case.", "schema": { "type": "string" }, "example": "ann" }
              ],
              "put": {
                "operationId": "banUser",
                "summary": "Ban an account from commenting and voting (curators and admins)",
                "description": "The user is shown the reason. Curators ban users; admins ban users and curators. Banning again replaces the reason.",
                "security": [ { "bearerToken": [] } ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                  "type": "object", "required": ["reason"],
                  "properties": { "reason": { "type": "string", "minLength": 1, "maxLength": 200, "description": "Why, on one line." } }
                } } } },
                "responses": {
                  "200": { "$ref": "#/components/responses/Ban" },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/NotAModerator" },
                  "404": { "description": "No account has this name.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                  "413": { "$ref": "#/components/responses/TooLarge" },
                  "422": { "description": "The reason is missing, blank, longer than 200 characters or on more than one line.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
              },
              "delete": {
                "operationId": "liftBan",
                "summary": "Lift an account's ban (curators and admins)",
                "description": "An account that is not banned stays as it is.",
                "security": [ { "bearerToken": [] } ],
                "responses": {
                  "200": { "$ref": "#/components/responses/Ban" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/NotAModerator" },
                  "404": { "description": "No account has this name.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
              }
            }
          },
          "components": {
            "securitySchemes": {
              "bearerToken": { "type": "http", "scheme": "bearer", "description": "A personal API token from the account page." }
            },
            "parameters": {
              "page": { "name": "p", "in": "query", "description": "Page number, from 0.", "schema": { "type": "integer", "minimum": 0, "default": 0 } },
              "limit": { "name": "limit", "in": "query", "description": "Papers per page.", "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 50 } },
              "collectionId": { "name": "collectionId", "in": "path", "required": true, "description": "The collection's number.", "schema": { "type": "integer", "minimum": 1 }, "example": 1 }
            },
            "responses": {
              "BadRequest": { "description": "A malformed parameter; the message names it.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "Unauthorized": { "description": "No token, or an unknown or revoked one.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "TooManyRequests": {
                "description": "Too many votes, comments, new collections or saved papers from this user; wait as long as Retry-After says.",
                "headers": { "Retry-After": { "description": "Seconds to wait.", "schema": { "type": "integer" } } },
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
              },
              "Forbidden": { "description": "Not allowed: someone else's comment, or a banned account; the message says which.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "TooLarge": { "description": "The body or the comment's text is too long; the message gives the limit.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "CollectionNotFound": { "description": "No such collection, or a private one of someone else (the two look alike).", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "CollectionRefused": {
                "description": "A field or cap refuses the change: rule names it (name, description, max_collections_per_user, max_papers_per_collection).",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
              },
              "Comment": { "description": "The comment after the change.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Comment" } } } },
              "NotAModerator": { "description": "The token's account is not a curator or admin, or the account to ban ranks as high as it; the message says which.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "Ban": {
                "description": "The account's ban after the change.",
                "content": { "application/json": { "schema": {
                  "type": "object", "required": ["user", "banned"],
                  "properties": {
                    "user": { "type": "object", "required": ["name"], "properties": { "name": { "type": "string" } } },
                    "banned": { "type": "boolean" },
                    "reason": { "type": "string", "description": "Present while banned." },
                    "moderator": { "type": "string", "description": "Who banned the account; present while banned." },
                    "bannedAt": { "type": "string", "format": "date-time" }
                  }
                } } }
              },
              "VoteTally": {
                "description": "The paper's upvotes after the change, and whether yours is among them.",
                "content": { "application/json": { "schema": {
                  "type": "object", "required": ["upvotes", "voted"],
                  "properties": { "upvotes": { "type": "integer", "minimum": 0 }, "voted": { "type": "boolean" } }
                } } }
              }
            },
            "schemas": {
              "CommentInput": {
                "type": "object", "required": ["text"],
                "properties": {
                  "text": { "type": "string", "maxLength": 5000, "description": "Plain text; http(s) links are shown as links." },
                  "parentId": { "type": ["integer", "null"], "minimum": 1, "description": "The comment to reply to, on the same paper." }
                }
              },
              "Comment": {
                "type": "object", "required": ["id", "paperId", "createdAt", "deleted"],
                "properties": {
                  "id": { "type": "integer", "minimum": 1 },
                  "paperId": { "type": "string" },
                  "parentId": { "type": "integer", "minimum": 1 },
                  "depth": { "type": "integer", "minimum": 0, "description": "In a thread: 0 for a comment on the paper, 1 for a reply to one, and so on." },
                  "createdAt": { "type": "string", "format": "date-time" },
                  "editedAt": { "type": "string", "format": "date-time" },
                  "deleted": { "type": "boolean" },
                  "author": { "type": "object", "required": ["name"], "properties": { "name": { "type": "string" } } },
                  "text": { "type": "string", "description": "Absent when deleted or hidden." },
                  "hidden": {
                    "type": "object", "required": ["reason"],
                    "properties": { "reason": { "type": "string", "enum": ["spam", "abuse", "off-topic", "resolved"] } }
                  }
                }
              },
              "CommentThread": {
                "type": "object", "required": ["paperId", "numComments", "comments"],
                "properties": {
                  "paperId": { "type": "string" },
                  "numComments": { "type": "integer", "minimum": 0, "description": "The paper's numComments: the Hub's imported count plus the visible comments here." },
                  "comments": { "type": "array", "items": { "$ref": "#/components/schemas/Comment" } }
                }
              },
              "CollectionInput": {
                "type": "object",
                "properties": {
                  "name": { "type": "string", "minLength": 1, "maxLength": 100, "description": "Required to create; trimmed." },
                  "description": { "type": ["string", "null"], "maxLength": 1000, "description": "Plain text; null or empty removes it." },
                  "public": { "type": "boolean", "default": false, "description": "Public collections have a page and an RSS feed for anyone." },
                  "paperId": { "type": "string", "description": "Creating only: start the collection with this paper." }
                }
              },
              "Collection": {
                "type": "object", "required": ["id", "name", "public", "owner", "paperCount", "createdAt", "updatedAt", "url"],
                "properties": {
                  "id": { "type": "integer", "minimum": 1 },
                  "name": { "type": "string" },
                  "description": { "type": "string" },
                  "public": { "type": "boolean" },
                  "owner": { "type": "object", "required": ["name"], "properties": { "name": { "type": "string" } } },
                  "paperCount": { "type": "integer", "minimum": 0 },
                  "createdAt": { "type": "string", "format": "date-time" },
                  "updatedAt": { "type": "string", "format": "date-time", "description": "The last change: name, description, visibility or papers." },
                  "url": { "type": "string", "description": "The collection's page, relative to the site." },
                  "feed": { "type": "string", "description": "Public collections: the RSS feed, relative to the site." }
                }
              },
              "CollectionWithPapers": {
                "allOf": [
                  { "$ref": "#/components/schemas/Collection" },
                  {
                    "type": "object", "required": ["papers"],
                    "properties": {
                      "papers": {
                        "type": "array",
                        "items": {
                          "type": "object", "required": ["addedAt", "paper"],
                          "properties": { "addedAt": { "type": "string", "format": "date-time" }, "paper": { "$ref": "#/components/schemas/Paper" } }
                        }
                      }
                    }
                  }
                ]
              },
              "Error": {
                "type": "object", "required": ["error"],
                "properties": { "error": { "type": "string", "description": "What was wrong, naming the parameter." } }
              },
              "SubmissionRefusal": {
                "type": "object", "required": ["error", "rule"],
                "properties": {
                  "error": { "type": "string", "description": "Why, in words." },
                  "rule": { "type": "string", "enum": ["max_age_days", "not_featured_before", "daily_cap_per_user", "override_not_allowed"] }
                }
              },
              "Author": {
                "type": "object", "required": ["_id", "name", "hidden"],
                "properties": { "_id": { "type": "string" }, "name": { "type": "string" }, "hidden": { "type": "boolean" } }
              },
              "User": {
                "type": "object", "required": ["_id", "name", "fullname", "user", "avatarUrl", "isPro", "type"],
                "properties": {
                  "_id": { "type": "string" }, "name": { "type": "string" }, "fullname": { "type": "string" }, "user": { "type": "string" },
                  "avatarUrl": { "type": "string" }, "isPro": { "type": "boolean" }, "type": { "type": "string" }
                }
              },
              "Organization": {
                "type": "object", "required": ["_id", "name", "fullname"],
                "properties": { "_id": { "type": "string" }, "name": { "type": "string" }, "fullname": { "type": "string" } }
              },
              "Paper": {
                "type": "object",
                "required": ["id", "authors", "title", "summary", "upvotes", "discussionId", "numComments"],
                "properties": {
                  "id": { "type": "string", "description": "Versionless arXiv id." },
                  "authors": { "type": "array", "items": { "$ref": "#/components/schemas/Author" } },
                  "publishedAt": { "type": "string", "format": "date-time", "description": "First version on arXiv." },
                  "submittedOnDailyAt": { "type": "string", "format": "date-time", "description": "When it was featured." },
                  "title": { "type": "string" },
                  "summary": { "type": "string", "description": "The abstract." },
                  "upvotes": { "type": "integer", "minimum": 0 },
                  "discussionId": { "type": "string" },
                  "submittedOnDailyBy": { "$ref": "#/components/schemas/User" },
                  "projectPage": { "type": "string" },
                  "githubRepo": { "type": "string" },
                  "githubStars": { "type": "integer" },
                  "organization": { "$ref": "#/components/schemas/Organization" },
                  "numComments": { "type": "integer", "minimum": 0 }
                }
              },
              "DailyPaper": {
                "type": "object",
                "required": ["paper", "title", "summary", "thumbnail", "numComments", "isAuthorParticipating"],
                "properties": {
                  "paper": { "$ref": "#/components/schemas/Paper" },
                  "publishedAt": { "type": "string", "format": "date-time" },
                  "title": { "type": "string" },
                  "summary": { "type": "string" },
                  "thumbnail": { "type": "string" },
                  "numComments": { "type": "integer", "minimum": 0 },
                  "submittedBy": { "$ref": "#/components/schemas/User" },
                  "organization": { "$ref": "#/components/schemas/Organization" },
                  "isAuthorParticipating": { "type": "boolean" }
                }
              }
            }
          }
        }
        """
}
