"""``/ops``: the ops page, server-rendered HTML for a browser (role ops or admin).

The token is pasted once in a form (POSTed, never in the address) and kept in an HttpOnly,
SameSite=Strict cookie scoped to ``/ops`` (decision 0811): page script could not read it, other
sites cannot make the browser send it, and the JSON API never reads it. Without a usable token
the answer is the form again, as HTML with 401 or 403 and the reason, never a JSON error.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tracklog import __version__
from tracklog.adapters.web.pages import render
from tracklog.domain.access import Action, Principal, require
from tracklog.domain.errors import Forbidden, InvalidInput, TracklogError, Unauthorized
from tracklog.entrypoints.api.errors import status_of
from tracklog.entrypoints.api.present_ops import page_context
from tracklog.entrypoints.api.routing import call, deps, state
from tracklog.services.ops_overview import ops_overview

COOKIE = "tracklog_ops_token"
PATH = "/ops"
REFRESH_SECONDS = 30
MAX_FORM_BYTES = 16 * 1024
PROBLEMS = {400: "form", 401: "token", 403: "role"}  # what is wrong, for a test to read

router = APIRouter(include_in_schema=False)


@router.get(PATH, response_class=HTMLResponse)
async def ops_page(request: Request) -> Response:
    """The page, for a token in the cookie (or an Authorization header, for curl)."""
    try:
        who = _caller(request)
        require(who, Action.OPERATE)
        overview = await call(ops_overview, deps(request))
    except TracklogError as error:
        return _refused(request, error, forget=COOKIE in request.cookies)
    body = _render(
        request,
        "ops.html",
        mode=deps(request).settings.mode.value,
        refresh_seconds=REFRESH_SECONDS,
        can_forget=COOKIE in request.cookies,
        version=__version__,
        **page_context(overview),
    )
    return _html(body, 200, request)


@router.post(PATH, response_class=HTMLResponse)
async def paste_token(request: Request) -> Response:
    """The form's POST: a token with the role ops or admin is kept in the cookie."""
    try:
        _same_origin(request)
        token = await _pasted_token(request)
        decoded = state(request).auth.verify(token, "the form")
        require(decoded.principal, Action.OPERATE)
    except TracklogError as error:
        return _refused(request, error, forget=False)
    response = RedirectResponse(PATH, status_code=303)  # a refresh never re-sends the form
    response.set_cookie(
        COOKIE,
        token,  # a session cookie: gone with the browser session, refused once the token expires
        path=PATH,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    _secure_headers(response, None)
    return response


@router.post(PATH + "/forget")
async def forget_token(request: Request) -> Response:
    response = RedirectResponse(PATH, status_code=303)
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="strict")
    _secure_headers(response, None)
    return response


def _caller(request: Request) -> Principal:
    api = state(request)
    if not api.auth.enabled or "authorization" in request.headers:
        return api.auth.principal(request)
    token = request.cookies.get(COOKIE)
    if not token:
        raise NoToken("no token yet", field="token")
    return api.auth.verify(token, "this page's cookie").principal


async def _pasted_token(request: Request) -> str:
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > MAX_FORM_BYTES:
            raise InvalidInput("The form is larger than a token can be.", field="token")
    try:
        fields = parse_qs(raw.decode("utf-8", "replace"), max_num_fields=4)
    except ValueError:
        fields = {}
    token = (fields.get("token") or [""])[0].strip()
    if token.lower().startswith("bearer "):
        token = token[len("bearer ") :].strip()
    if not token:
        raise Unauthorized("Paste a token in the field below.", field="token")
    return token


def _same_origin(request: Request) -> None:
    """A form posted from another site is refused (it could plant its own token here).
    Browsers say where a request comes from in ``Sec-Fetch-Site``, older ones in ``Origin``;
    a client that sends neither (curl) is not a browser another site can steer."""
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    if site is not None:
        foreign = site not in {"same-origin", "none"}
    else:
        foreign = bool(origin) and urlsplit(origin or "").netloc != request.headers.get("host")
    if foreign:
        raise Forbidden("The form was sent from another site; open the ops page itself.")


class NoToken(Unauthorized):
    """A first visit: the form, without a complaint."""


def _refused(request: Request, error: TracklogError, *, forget: bool) -> Response:
    status = status_of(error)
    body = _render(
        request,
        "token.html",
        message=None if isinstance(error, NoToken) else _sentence(error),
        problem=PROBLEMS.get(status, "server"),
        form=status in PROBLEMS,
    )
    response = _html(body, status, request)
    if forget:
        response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="strict")
    return response


def _sentence(error: TracklogError) -> str:
    text = error.message[:1].upper() + error.message[1:]
    if isinstance(error, Unauthorized) and "expired" in text:
        return f"{text}: paste a new one."
    if isinstance(error, Unauthorized):
        return f"{text}; paste a valid ops or admin token."
    if status_of(error) >= 500:
        return f"{text}. Nothing is wrong with your token: retry in a moment."
    return text if text.endswith(".") else f"{text}."


def _render(request: Request, template: str, **context: Any) -> tuple[str, str]:
    nonce = secrets.token_urlsafe(16)
    environment = deps(request).settings.environment.value
    return render(template, nonce=nonce, environment=environment, **context), nonce


def _html(rendered: tuple[str, str], status: int, request: Request) -> Response:
    body, nonce = rendered
    response = HTMLResponse(body, status_code=status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tracklog ops"'
    _secure_headers(response, nonce)
    return response


def _secure_headers(response: Response, nonce: str | None) -> None:
    styles = f"'nonce-{nonce}'" if nonce else "'none'"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {styles}; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
