"""Entrypoints: HTTP API, CLI and worker. Thin: parse, call one service, format."""
