"""The committed contract (docs/openapi.yaml) and the rules every operation in it follows.

The rules are checked over the whole generated schema, so an endpoint added later is held to
them without being named here.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent.parent
COMMITTED = ROOT / "docs" / "openapi.yaml"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return out.read_text()


@pytest.fixture(scope="module")
def schema(generated) -> dict[str, Any]:
    return yaml.safe_load(generated)


def operations(schema: dict[str, Any]):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_committed_schema_is_the_generated_one(generated):
    committed = COMMITTED.read_text()
    if committed != generated:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                generated.splitlines(keepends=True),
                "docs/openapi.yaml (committed)",
                "generated from the code",
                n=2,
            )
        )
        pytest.fail(
            "The API contract changed. Run `make schema`, review the diff, and add an entry "
            f"to docs/api-changelog.md.\n{diff[:8000]}"
        )


def test_changelog_names_the_schema_version(schema):
    changelog = (ROOT / "docs" / "api-changelog.md").read_text()
    assert f"## {schema['info']['version']}" in changelog


def test_every_error_response_has_the_documented_error_shape(schema):
    for path, method, operation in operations(schema):
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")):
                ref = response["content"]["application/json"]["schema"]["$ref"]
                expected = "ValidationError" if code == "400" else "Error"
                assert ref == f"#/components/schemas/{expected}", (path, method, code)


def test_each_operation_documents_the_errors_it_can_return(schema):
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        parameters = operation.get("parameters", [])
        if operation.get("requestBody") or any(p["in"] == "query" for p in parameters):
            assert "400" in codes, (path, method)
        if operation.get("requestBody"):
            assert "415" in codes, (path, method)
        if {"knoxApiToken": []} in operation.get("security", []):
            assert "401" in codes, (path, method)
            assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
        if any(p["in"] == "path" for p in parameters):
            assert "404" in codes, (path, method)
        assert "503" in codes, (path, method)  # database or Redis briefly unreachable
    login = schema["paths"]["/api/v1/auth/login/"]["post"]["responses"]
    assert login["429"]["headers"]["Retry-After"]["required"] is True
    key = schema["paths"]["/api/v1/devices/webpush-key/"]["get"]["responses"]
    body = key["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert schema["components"]["schemas"][body]["required"] == ["enabled", "public_key"]
    logs = schema["paths"]["/api/v1/logs/"]["get"]["responses"]
    assert {"400", "401", "403", "404"} <= set(logs)  # 404: a page past the last


def test_no_partial_update_schema_carries_a_default(schema):
    for path, method, operation in operations(schema):
        if method != "patch":
            continue
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert "required" not in component, path
        for name, prop in component["properties"].items():
            assert "default" not in prop, (path, name)


def test_request_bodies_refuse_unknown_fields_and_state_bounds(schema):
    components = schema["components"]["schemas"]
    for name in [
        "PainLogInputRequest",
        "PatchedPainLogUpdateRequest",
        "PainLogSyncItemRequest",
        "TreatmentInputRequest",
        "PatchedMeRequest",
        "RegisterInputRequest",
        "WebPushDeviceInputRequest",
        "TokenDeviceInputRequest",
    ]:
        assert components[name]["additionalProperties"] is False, name
    temperature = components["PainLogInputRequest"]["properties"]["temperature_c"]
    assert (temperature["minimum"], temperature["maximum"], temperature["multipleOf"]) == (
        34.0,
        43.0,
        0.1,
    )
    output = components["PainLogOutput"]["properties"]["temperature_c"]
    assert "multipleOf" not in output and (output["minimum"], output["maximum"]) == (34.0, 43.0)
    assert (
        "5 minutes" in components["PainLogInputRequest"]["properties"]["recorded_at"]["description"]
    )
    sync_items = components["PainLogSyncInputRequest"]["properties"]["logs"]
    assert sync_items["items"] == {"$ref": "#/components/schemas/PainLogSyncItemRequest"}
    reminder = components["PatchedMeRequest"]["properties"]["reminder_time"]
    assert "format" not in reminder and reminder["pattern"].startswith("^([01]")


def test_devices_are_a_oneof_by_kind(schema):
    device = schema["components"]["schemas"]["DeviceRequestRequest"]
    assert device["discriminator"]["propertyName"] == "kind"
    assert set(device["discriminator"]["mapping"]) == {"webpush", "fcm", "apns"}
    webpush = schema["components"]["schemas"]["WebPushDeviceInputRequest"]
    token = schema["components"]["schemas"]["TokenDeviceInputRequest"]
    assert "subscription" in webpush["required"] and "registration_id" not in webpush["properties"]
    assert "registration_id" in token["required"] and "subscription" not in token["properties"]


def test_list_parameters_have_bounds_formats_and_named_enums(schema):
    def params(path):
        return {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}

    for path in ["/api/v1/logs/", "/api/v1/treatments/", "/api/v1/alerts/", "/api/v1/devices/"]:
        p = params(path)
        assert (p["page"]["minimum"], p["page_size"]["minimum"], p["page_size"]["maximum"]) == (
            1,
            1,
            200,
        ), path
    for path in ["/api/v1/logs/", "/api/v1/treatments/"]:
        assert params(path)["since"]["format"] == params(path)["until"]["format"] == "date-time"
    assert params("/api/v1/logs/")["site"] == {"$ref": "#/components/schemas/SiteEnum"}
    days = params("/api/v1/trends/")["days"]
    assert (days["minimum"], days["maximum"]) == (1, 365)


def test_site_side_and_level_are_enums_in_every_response(schema):
    components = schema["components"]["schemas"]

    def refs(prop):
        found = [prop.get("$ref")] + [s.get("$ref") for s in prop.get("oneOf", [])]
        found += [s.get("$ref") for s in prop.get("allOf", [])]
        return {r.rsplit("/", 1)[1] for r in found if r}

    for component, props in [
        ("SiteOutput", {"code": "SiteEnum"}),
        ("TrendRow", {"site": "SiteEnum", "side": "SideEnum"}),
        ("AlertOutput", {"site": "SiteEnum", "side": "SideEnum", "level": "LevelEnum"}),
        ("Finding", {"site": "SiteEnum", "side": "SideEnum", "level": "LevelEnum"}),
        ("Triage", {"level": "LevelEnum"}),
    ]:
        for prop, enum in props.items():
            assert enum in refs(components[component]["properties"][prop]), (component, prop)
    assert "date_of_birth" in components["Me"]["required"]


def test_descriptions_are_written_for_app_developers(schema):
    """No house notes leak: mixin docstrings, "shared plumbing", serializer internals."""
    texts = [op.get("description", "") for _, _, op in operations(schema)]
    texts += [c.get("description", "") for c in schema["components"]["schemas"].values()]
    for text in texts:
        for leak in ("plumbing", "mixin", "serializer", "DRF", "drf-spectacular", "subclass"):
            assert leak.lower() not in text.lower(), text


@pytest.mark.django_db
def test_schema_shows_in_a_browser_and_serves_tools_their_types(anon):
    browser = anon.get("/api/schema/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert browser.status_code == 200
    assert browser["Content-Type"].startswith("text/plain")
    assert "attachment" not in browser.get("Content-Disposition", "")
    assert browser.content.startswith(b"openapi: 3.0.3")
    tool = anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert tool["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert tool.json()["openapi"] == "3.0.3"
    assert anon.get("/api/schema/")["Content-Type"].startswith("application/vnd.oai.openapi")
