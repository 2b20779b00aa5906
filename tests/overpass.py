"""A loopback HTTP server that plays Overpass, serving real OSM data as Overpass JSON.

It answers ``/api/status`` like the real server and ``/api/interpreter`` by
reading the way filter out of the query OSMnx sends (``way["highway"]…(poly:…)``)
and returning the matching ways of a real OSM file, with their nodes.  The
polygon is ignored: the file is the area.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import osmium

STATUS = """Connected as: 1
Current time: 2026-11-24T12:00:00Z
Announced endpoint: none
Rate limit: 2
2 slots available now.
Currently running queries (pid, space limit, time limit, start time):
"""

_CLAUSE = re.compile(r'\["([^"]+)"(?:(!?~)"([^"]*)")?\]')


def _matches(tags: dict[str, str], clauses: list[tuple[str, str, str]]) -> bool:
    for key, op, value in clauses:
        present = key in tags
        if op == "" and not present:
            return False
        if op == "~" and not (present and re.search(value, tags[key])):
            return False
        if op == "!~" and present and re.search(value, tags[key]):
            return False
    return True


class OverpassFile:
    """Ways and nodes of one OSM file, ready to answer filtered queries."""

    def __init__(self, path: Path) -> None:
        self.nodes: dict[int, dict] = {}
        self.ways: list[dict] = []
        for obj in osmium.FileProcessor(str(path)):
            if obj.is_node():
                self.nodes[obj.id] = {"type": "node", "id": obj.id, "lat": obj.location.lat,
                                      "lon": obj.location.lon, "tags": dict(obj.tags)}
            elif obj.is_way():
                self.ways.append({"type": "way", "id": obj.id, "nodes": [n.ref for n in obj.nodes],
                                  "tags": dict(obj.tags)})
        self.queries: list[str] = []

    def answer(self, query: str) -> dict:
        self.queries.append(query)
        match = re.search(r"way((?:\[[^\]]*\])+)\(poly:", query)
        if not match:
            raise ValueError(f"not a way query: {query[:200]}")
        clauses = _CLAUSE.findall(match.group(1))
        ways = [w for w in self.ways if _matches(w["tags"], clauses)]
        used = {ref for w in ways for ref in w["nodes"]}
        nodes = [self.nodes[ref] for ref in sorted(used) if ref in self.nodes]
        return {"version": 0.6, "generator": "access test Overpass", "elements": nodes + ways}


class OverpassServer:
    """Run an :class:`OverpassFile` on 127.0.0.1; use as a context manager."""

    def __init__(self, data: OverpassFile) -> None:
        self.data = data
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, code: int, body: bytes, kind: str) -> None:
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/status"):
                    self._send(200, STATUS.encode(), "text/plain")
                else:
                    self._send(404, b"not found", "text/plain")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                try:
                    body = json.dumps(owner.data.answer(form["data"][0])).encode()
                except (KeyError, ValueError) as exc:
                    self._send(400, str(exc).encode(), "text/plain")
                    return
                self._send(200, body, "application/json")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> OverpassServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
