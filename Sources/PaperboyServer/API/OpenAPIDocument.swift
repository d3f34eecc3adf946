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
            }
          },
          "components": {
            "parameters": {
              "page": { "name": "p", "in": "query", "description": "Page number, from 0.", "schema": { "type": "integer", "minimum": 0, "default": 0 } },
              "limit": { "name": "limit", "in": "query", "description": "Papers per page.", "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 50 } }
            },
            "responses": {
              "BadRequest": { "description": "A malformed parameter; the message names it.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            },
            "schemas": {
              "Error": {
                "type": "object", "required": ["error"],
                "properties": { "error": { "type": "string", "description": "What was wrong, naming the parameter." } }
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
