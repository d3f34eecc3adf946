"""/openapi.json is a valid OpenAPI 3.1 document, and real answers match its schemas."""
import json, urllib.error, urllib.request

import jsonschema
import pytest
from openapi_spec_validator import validate


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def document(demo_url):
    status, doc = get(demo_url + "/openapi.json")
    assert status == 200
    return doc


def test_the_document_is_valid_openapi_3_1(document):
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_every_json_endpoint_is_described(document):
    assert set(document["paths"]) == {
        "/api/daily_papers", "/api/papers/search", "/api/papers/{id}", "/api/papers/{id}/similar", "/api/papers/{id}/upvote",
        "/api/papers/{id}/comments", "/api/comments/{commentId}", "/api/papers/submit",
        "/api/collections", "/api/collections/{collectionId}", "/api/collections/{collectionId}/papers/{paperId}",
        "/api/users/{name}/collections", "/api/comments/{commentId}/hide", "/api/users/{name}/ban",
    }


def check(document, instance, schema):
    """Validates `instance` against `schema`, resolving $refs inside the document."""
    jsonschema.validate(instance, {**schema, "components": document["components"]},
                        cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("path,operation,status", [
    ("/api/daily_papers?week=2026-W34&limit=20", "/api/daily_papers", 200),
    ("/api/daily_papers?date=2026-08-21&sort=trending", "/api/daily_papers", 200),
    ("/api/daily_papers?date=nonsense", "/api/daily_papers", 400),
    ("/api/papers/search?q=diffusion+video&limit=10", "/api/papers/search", 200),
    ("/api/papers/search?q=x&limit=1000", "/api/papers/search", 400),
    ("/api/papers/2608.19880", "/api/papers/{id}", 200),
    ("/api/papers/2501.99999", "/api/papers/{id}", 404),
    ("/api/papers/search?q=agents&mode=keyword", "/api/papers/search", 200),
    ("/api/papers/search?q=x&mode=fuzzy", "/api/papers/search", 400),
    ("/api/papers/2608.19880/similar?limit=5", "/api/papers/{id}/similar", 200),
    ("/api/papers/2608.19880/similar?limit=0", "/api/papers/{id}/similar", 400),
    ("/api/papers/2501.99999/similar", "/api/papers/{id}/similar", 404),
    ("/api/papers/2608.19880/comments", "/api/papers/{id}/comments", 200),
    ("/api/papers/2501.99999/comments", "/api/papers/{id}/comments", 404),
    ("/api/papers/not-an-id/comments", "/api/papers/{id}/comments", 400),
    ("/api/collections/1", "/api/collections/{collectionId}", 404),
    ("/api/collections/not-a-number", "/api/collections/{collectionId}", 400),
    ("/api/users/nobody_here/collections", "/api/users/{name}/collections", 404),
])
def test_answers_match_the_documented_schemas(demo_url, document, path, operation, status):
    got, body = get(demo_url + path)
    assert got == status
    response = document["paths"][operation]["get"]["responses"][str(status)]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = response["content"]["application/json"]["schema"]
    check(document, body, schema)
    if status == 200 and isinstance(body, list):
        assert body, "a real answer to check"
