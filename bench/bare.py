"""The bare limit for HTTP: a FastAPI endpoint that parses the same JSON body and replies small.

Served by ``python -m bench.bare --port P`` with exactly the uvicorn settings ``tracklog serve``
uses (``uvicorn.run(app, host, port, log_level="warning", access_log=False)``).
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn
from fastapi import FastAPI
from starlette.requests import Request


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/{name:path}")
    async def endpoint(request: Request, name: str) -> dict[str, Any]:
        body = await request.json()
        return {"response": "SUCCESS", "eventId": body["request"].get("eventId")}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
