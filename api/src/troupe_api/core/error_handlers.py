"""Maps every error (ours, Starlette's HTTP errors, request validation) to the one envelope
``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from troupe_api.core.errors import TroupeError

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": jsonable_encoder(details)}}


def envelope_response(exc: TroupeError) -> JSONResponse:
    return JSONResponse(
        _body(exc.code, exc.message, exc.details), status_code=exc.status_code, headers=exc.headers
    )


async def _troupe_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TroupeError)
    return envelope_response(exc)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    phrase = (
        HTTPStatus(exc.status_code).phrase
        if exc.status_code in HTTPStatus._value2member_map_
        else "Error"
    )
    message = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else f"{phrase}."
    return JSONResponse(
        _body(code, message), status_code=exc.status_code, headers=getattr(exc, "headers", None)
    )


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [
        {
            "loc": list(err.get("loc", ())),
            "message": err.get("msg", ""),
            "type": err.get("type", ""),
        }
        for err in exc.errors()
    ]
    return JSONResponse(
        _body("validation_error", "The request is invalid.", {"fields": fields}), status_code=422
    )


# PostgreSQL text cannot hold NUL (22021) or characters the encoding lacks (22P05): whatever
# field they arrived in, that is the caller's input, not a server fault.
_BAD_TEXT_SQLSTATES = {"22021", "22P05"}


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if getattr(exc.orig, "sqlstate", None) in _BAD_TEXT_SQLSTATES:
        return JSONResponse(
            _body(
                "invalid_characters",
                "Text fields must not contain NUL or other characters that cannot be stored.",
            ),
            status_code=422,
        )
    raise exc


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(TroupeError, _troupe_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
