"""The workbench's HTTP side: the JSON API and the one page, as a Starlette app.

    POST /api/group | /api/explain | /api/validate | /api/edit   one claim (golden JSON form) -> to_dict()
    POST /api/case                                              everything the page shows for one claim
    GET  /api/codes?q=&type=dx|pr&version=                      code search with titles
    GET  /api/versions, /api/drg/{number}?version=

Safe by default: bad input gets a 4xx with a plain message naming the field (never a
traceback); request bodies are limited in size; the log says method, path, status and time
only (never a claim); every answer carries a Content-Security-Policy that allows only the
page's own script and style, and the page writes user text with textContent only.
"""
from __future__ import annotations

import json
import logging
import time
from importlib import resources
from collections.abc import MutableMapping
from typing import Any, Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from drg import api
from drg.claim import InvalidClaimError, resolve_version
from drg.tables import TableIntegrityError, available_versions, load
from drg.tables.show import NotInTables, show_drg
from drg.tables.titles import search_codes
from drg.tables.versions import parse_version, version_for
from drg.web.case import case_view, with_coder_codes

MAX_BODY_BYTES = 64 * 1024          # one claim is under 4 KB; 64 KB leaves room, refuses floods
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff",
                    "referrer-policy": "no-referrer", "x-frame-options": "DENY", "cache-control": "no-store"}
STATIC_FILES = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
log = logging.getLogger("drg.web")


class BadRequest(Exception):
    """Input the API refuses: an HTTP status and a plain message naming the field."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


def _error(status: int, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "field": field}, status_code=status)


async def _body(request: Request) -> bytes:
    """The request body, refused (413) beyond MAX_BODY_BYTES whether or not a length was sent."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
        raise BadRequest(413, f"the request body is larger than {MAX_BODY_BYTES // 1024} KB; send one claim")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BadRequest(413, f"the request body is larger than {MAX_BODY_BYTES // 1024} KB; send one claim")
        chunks.append(chunk)
    return b"".join(chunks)


async def _claim(request: Request) -> dict[str, Any]:
    """The request body as one claim object (codes with or without dots)."""
    if "json" not in request.headers.get("content-type", "application/json"):
        raise BadRequest(415, "send the claim as JSON (Content-Type: application/json)")
    raw = await _body(request)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest(400, "the request body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise BadRequest(400, f"the request body is not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(data, dict):
        raise BadRequest(422, "the request body must be one claim: a JSON object", "claim")
    return with_coder_codes(data)


def _claim_endpoint(work: Callable[[dict[str, Any]], Any]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        data = await _claim(request)
        return JSONResponse(work(data))
    return endpoint


def _group(data: dict[str, Any]) -> dict:
    return api.group(_without_billing(data)).to_dict()


def _explain(data: dict[str, Any]) -> dict:
    return api.explain(_without_billing(data)).to_dict()


def _validate(data: dict[str, Any]) -> dict:
    resolve_version(api.as_claim(_without_billing(data)))      # the claim's own fields are judged first
    if data.get("billed_drg") in (None, ""):
        raise BadRequest(422, "billed_drg: give the DRG that was billed (a number like 291)", "billed_drg")
    return api.validate(data).to_dict()


def _edit(data: dict[str, Any]) -> dict:
    from drg.mce import edit_claim

    claim = api.as_claim(_without_billing(data))
    if data.get("version") is not None:
        resolve_version(claim)              # a version given must be one of the tables (the MCE reads the date)
    return edit_claim(claim, length_of_stay=data.get("length_of_stay")).to_dict()


def _without_billing(data: dict[str, Any]) -> dict[str, Any]:
    """The claim fields alone: the billing fields belong to validate."""
    return {k: v for k, v in data.items() if k not in ("billed_drg", "billed_version", "provider_id")}


def _version_param(request: Request) -> Any:
    """The version of a GET: ?version=43.1, else ?discharge_date=, else the newest version."""
    given = request.query_params.get("version")
    date = request.query_params.get("discharge_date")
    try:
        if given:
            return parse_version(given)
        if date:
            return version_for(date)
    except (ValueError, LookupError):
        field = "version" if given else "discharge_date"
        raise BadRequest(422, f"{field}: not a version of the tables (write it like 43.1) or a discharge date "
                              "(YYYY-MM-DD) they cover", field) from None
    return available_versions()[-1]


async def codes(request: Request) -> Response:
    """Code search: codes starting with q (dots ignored) or whose title holds its words."""
    query = request.query_params.get("q", "")
    kind = request.query_params.get("type", "dx")
    if kind not in ("dx", "pr"):
        raise BadRequest(422, "type: 'dx' (diagnosis) or 'pr' (procedure)", "type")
    try:
        limit = int(request.query_params.get("limit", "20"))
    except ValueError:
        raise BadRequest(422, "limit: a whole number of hits (1-100)", "limit") from None
    version = _version_param(request)
    tables = load(version)
    valid = tables.diagnoses.keys() if kind == "dx" else tables.procedures.keys()
    hits = search_codes(kind, query, tables.version.fiscal_year, limit=limit, valid=valid)
    return JSONResponse({"version": tables.version.label, "type": kind, "codes": [h.to_dict() for h in hits]})


async def versions(request: Request) -> Response:
    return JSONResponse({"versions": [
        {"version": v.label, "id": v.id, "fiscal_year": v.fiscal_year, "effective_from": v.effective_from.isoformat(),
         "effective_through": v.effective_through.isoformat()} for v in available_versions()]})


async def drg_info(request: Request) -> Response:
    number = request.path_params["number"]
    version = _version_param(request)
    try:
        report = show_drg(version, number)
    except NotInTables as exc:
        raise BadRequest(404, str(exc), "number") from None
    return JSONResponse({"version": report.version, "drg": report.drg, "title": report.title,
                         "mdcs": [{"mdc": m.mdc, "title": m.title} for m in report.mdcs],
                         "type": report.surgical, "base_drg": report.base_drg, "base_drg_title": report.base_drg_title,
                         "fiscal_year": report.fiscal_year, "relative_weight": report.relative_weight,
                         "gmlos": report.gmlos, "amlos": report.amlos})


def _static(name: str) -> bytes:
    return resources.files("drg.web").joinpath("static", name).read_bytes()


async def page(request: Request) -> Response:
    return Response(_static("index.html"), media_type="text/html; charset=utf-8")


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC_FILES:
        raise BadRequest(404, "no such file")
    return Response(_static(name), media_type=STATIC_FILES[name])


async def not_found(request: Request, exc: Exception) -> Response:
    return _error(404, "no such page or API")


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    return _error(405, "this API is called with another method (POST for a claim, GET for a search)")


async def bad_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadRequest)
    return _error(exc.status, exc.message, exc.field)


async def invalid_claim(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InvalidClaimError)
    return _error(422, str(exc), exc.field)


async def unexpected(request: Request, exc: Exception) -> Response:
    """A defect, not bad input: a plain 500 (Starlette re-raises it; the Guard logs its type only)."""
    return _error(500, "internal error; the request was not processed")


async def damaged_tables(request: Request, exc: Exception) -> Response:
    return _error(503, "the MS-DRG tables of this install are damaged; run `drg tables verify`")


class Guard:
    """ASGI middleware: the security headers on every answer and one log line per request
    (method, path, status, milliseconds: never the query string or the body)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}
        started = {"yes": False}

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                started["yes"] = True
                status["code"] = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.decode("latin-1").lower()
                           not in SECURITY_HEADERS]
                headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:   # a defect, not bad input: logged by type only, answered without a traceback
            log.error("internal error %s on %s %s", type(exc).__name__, scope.get("method", ""), scope.get("path", ""))
            if not started["yes"]:
                status["code"] = 500
                response = _error(500, "internal error; the request was not processed")
                await response(scope, receive, send_with_headers)
        finally:
            log.info("%s %s %d %.1f ms", scope.get("method", ""), scope.get("path", ""), status["code"],
                     (time.perf_counter() - start) * 1000)


def create_app() -> Any:
    """The workbench app (Starlette, wrapped in the Guard middleware)."""
    routes = [
        Route("/", page), Route("/static/{name}", static),
        Route("/api/group", _claim_endpoint(_group), methods=["POST"]),
        Route("/api/explain", _claim_endpoint(_explain), methods=["POST"]),
        Route("/api/validate", _claim_endpoint(_validate), methods=["POST"]),
        Route("/api/edit", _claim_endpoint(_edit), methods=["POST"]),
        Route("/api/case", _claim_endpoint(case_view), methods=["POST"]),
        Route("/api/codes", codes), Route("/api/versions", versions), Route("/api/drg/{number}", drg_info),
    ]
    handlers = {404: not_found, 405: method_not_allowed, BadRequest: bad_request, InvalidClaimError: invalid_claim,
                TableIntegrityError: damaged_tables, Exception: unexpected}
    return Guard(Starlette(routes=routes, exception_handlers=handlers))


app = create_app()
