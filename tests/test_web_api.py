"""The workbench's JSON API through Starlette's TestClient: the same data as the Python API,
plain 4xx messages naming the field for bad input, and the safety defaults."""
from __future__ import annotations

import json
import logging

import pytest

pytest.importorskip("starlette", reason="the web extra (starlette) is not installed")
from starlette.testclient import TestClient  # noqa: E402

import drg  # noqa: E402
from drg.mce import edit_claim  # noqa: E402
from drg.web.app import MAX_BODY_BYTES, app  # noqa: E402

CLAIM = {"id": "c1", "version": 431, "age": 67, "sex": "M", "discharge_status": 1, "hospital_status": "NON_EXEMPT",
         "pdx": {"code": "I5021", "poa": "Y"}, "sdx": [{"code": "J9601", "poa": "Y"}, {"code": "E1165", "poa": "Y"}],
         "procedures": []}
DOTTED = {**CLAIM, "pdx": {"code": "i50.21", "poa": "Y"},
          "sdx": [{"code": "J96.01", "poa": "Y"}, {"code": "E11.65", "poa": "Y"}]}


@pytest.fixture(scope="module")
def client():
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("path, python", [
    ("/api/group", lambda c: drg.group(c).to_dict()),
    ("/api/explain", lambda c: drg.explain(c).to_dict()),
])
def test_claim_endpoints_answer_the_python_api_to_dict(client, path, python):
    for body in (CLAIM, DOTTED):
        response = client.post(path, json=body)
        assert response.status_code == 200, response.text
        assert response.json() == json.loads(json.dumps(python(CLAIM)))


def test_validate_needs_and_uses_the_billed_drg(client):
    response = client.post("/api/validate", json={**DOTTED, "billed_drg": 292})
    assert response.status_code == 200
    expected = json.loads(json.dumps(drg.validate({**CLAIM, "billed_drg": 292}).to_dict()))
    assert response.json() == expected and expected["expected_drg"] == 291
    missing = client.post("/api/validate", json=CLAIM)
    assert missing.status_code == 422 and missing.json()["field"] == "billed_drg"


def test_edit_answers_the_mce_golden_form(client):
    body = {**DOTTED, "discharge_date": "2026-01-15"}
    del body["version"]
    response = client.post("/api/edit", json=body)
    assert response.status_code == 200
    claim = drg.api.as_claim({**CLAIM, "discharge_date": "2026-01-15", "version": None})
    assert response.json() == json.loads(json.dumps(edit_claim(claim).to_dict()))


def test_case_view_has_titles_roles_and_what_the_drg_would_be_without_the_mcc(client):
    data = client.post("/api/case", json={**DOTTED, "billed_drg": "292"}).json()
    assert data["drg"]["drg"] == 291 and data["drg"]["title"] == "Heart Failure and Shock with MCC"
    assert data["drg"]["relative_weight"] > 0 and data["drg"]["mdc"] == 5
    mcc = next(row for row in data["codes"] if row["code"] == "J9601")
    assert mcc["spelled"] == "J96.01" and mcc["title"] == "Acute respiratory failure with hypoxia"
    assert mcc["level"] == "MCC" and mcc["counts"] is True and mcc["drives"] is True
    assert mcc["without"]["drg"] == drg.group({**CLAIM, "sdx": CLAIM["sdx"][1:]}).final_drg
    assert data["validation"]["finding"] and data["validation"]["billed"]["drg"] == 292
    assert "J96.01 Acute respiratory failure with hypoxia" in data["text"]
    # the audit rules the case meets are shown by what they look for, not by their ids
    rules = data["validation"]["audit_rules"]
    assert [rule["id"] for rule in rules] == data["validation"]["rule_hits"] and "AUDITED_ONLY_MCC" in \
        data["validation"]["rule_hits"]
    assert all(rule["description"] and rule["source"] and rule["id"] not in rule["description"] for rule in rules)


@pytest.mark.parametrize("body, field", [
    ({**CLAIM, "age": "old"}, "age"),
    ({**CLAIM, "hospital_status": "MAYBE"}, "hospital_status"),
    ({**CLAIM, "version": "12.5"}, "version"),
    ({**CLAIM, "sdx": "J9601"}, "sdx"),
    ([CLAIM], "claim"),
])
def test_bad_claims_get_a_4xx_naming_the_field(client, body, field):
    for path in ("/api/group", "/api/explain", "/api/validate", "/api/edit", "/api/case"):
        response = client.post(path, json=body)
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
        data = response.json()
        assert data["field"] == field, (path, data)
        assert "Traceback" not in response.text


def test_malformed_json_oversized_bodies_and_wrong_methods(client):
    bad = client.post("/api/group", content=b'{"id": ', headers={"content-type": "application/json"})
    assert bad.status_code == 400 and "not valid JSON" in bad.json()["error"]
    big = client.post("/api/group", content=b" " * (MAX_BODY_BYTES + 1), headers={"content-type": "application/json"})
    assert big.status_code == 413

    def chunks():
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b" " * 1024
    streamed = client.post("/api/group", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert client.get("/api/group").status_code == 405
    assert client.get("/api/nothing").status_code == 404
    assert client.post("/api/group", content=b"x", headers={"content-type": "text/plain"}).status_code == 415


def test_code_search_versions_and_drg(client):
    hits = client.get("/api/codes", params={"q": "j96.0", "version": "43.1"}).json()["codes"]
    assert [h["spelled"] for h in hits] == ["J96.00", "J96.01", "J96.02"]
    words = client.get("/api/codes", params={"q": "coronary dilation intraluminal", "type": "pr", "limit": 5}).json()
    assert len(words["codes"]) == 5 and all("Intraluminal" in h["title"] for h in words["codes"])
    assert client.get("/api/codes", params={"q": "x", "type": "icd9"}).status_code == 422
    assert client.get("/api/codes", params={"q": "x", "version": "9"}).json()["field"] == "version"
    versions = client.get("/api/versions").json()["versions"]
    assert [v["version"] for v in versions][:2] == ["40.0", "40.1"]
    info = client.get("/api/drg/291", params={"version": "43.1"}).json()
    assert info["title"] == "Heart Failure and Shock with MCC" and info["relative_weight"] > 0
    assert client.get("/api/drg/2999").status_code == 404
    assert client.get("/api/drg/abc").status_code == 404


def test_every_answer_carries_the_security_headers(client):
    for response in (client.get("/"), client.get("/static/app.js"), client.post("/api/group", json=CLAIM),
                     client.post("/api/group", json={**CLAIM, "age": "x"}), client.get("/nothing")):
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp and response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/../app.py").status_code == 404


def test_the_page_uses_only_its_own_script_and_style_and_never_inner_html(client):
    page = client.get("/").text
    assert '<script src="/static/app.js"' in page and '<link rel="stylesheet" href="/static/app.css">' in page
    assert "http://" not in page and "https://" not in page and "<style" not in page and "onclick" not in page
    script = client.get("/static/app.js").text
    assert "innerHTML" not in script.replace("never innerHTML", "") and "insertAdjacentHTML" not in script
    assert "eval(" not in script and "://" not in script


def test_the_log_has_method_path_status_time_and_no_claim_content(client, caplog):
    caplog.set_level(logging.INFO, logger="drg.web")
    secret = {**CLAIM, "id": "PATIENT-SMITH-1234"}
    client.post("/api/group", json=secret)
    client.get("/api/codes", params={"q": "SMITH"})
    client.post("/api/group", json={**secret, "age": "SMITH"})
    text = "\n".join(record.getMessage() for record in caplog.records if record.name == "drg.web")
    assert "POST /api/group 200" in text and "POST /api/group 422" in text and "ms" in text
    assert "SMITH" not in text and "I5021" not in text


def test_an_internal_error_is_a_plain_500_without_traceback(monkeypatch, client, caplog):
    import drg.web.app as web

    def broken(data):
        raise RuntimeError("secret detail J9601")
    monkeypatch.setattr(web.api, "group", broken)
    response = client.post("/api/group", json=CLAIM)
    assert response.status_code == 500 and response.json()["error"].startswith("internal error")
    assert "Traceback" not in response.text and "secret" not in response.text
    assert "secret" not in caplog.text


def test_serve_binds_loopback_by_default():
    from click.testing import CliRunner
    from drg.cli import main

    help_text = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "127.0.0.1" in help_text
    from drg.commands.serve import serve
    host = next(p for p in serve.params if p.name == "host")
    assert host.default == "127.0.0.1"


def test_the_readme_curl_examples_answer_200(client):
    import re
    import shlex
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Workbench"):]
    block = re.search(r"```\n(curl .*?)```", section, re.S).group(1)
    commands = [c for c in re.split(r"\n(?=curl )", block.strip()) if c]
    assert len(commands) >= 8
    for command in commands:
        words = shlex.split(command.split("   #")[0])
        url = next(w for w in words if w.startswith(("localhost", "'localhost")))
        path = url.split("localhost:8000", 1)[1]
        if "-d" in words:
            body = json.loads(words[words.index("-d") + 1])
            response = client.post(path, json=body)
        else:
            response = client.get(path)
        assert response.status_code == 200, (command, response.text)
