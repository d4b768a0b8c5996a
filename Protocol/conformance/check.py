#!/usr/bin/env python3
"""Outside-view conformance check of a GridSync server against Protocol/openapi.yaml.

Usage: python3 check.py <path to gridsync-server> [path to openapi.yaml]

Starts the server on 127.0.0.1 with a fresh temporary database and small limits, drives every
endpoint of openapi.yaml with realistic requests (success and error cases, a real two-device
conflict built exactly as Protocol/README.md "Building a change" says, its listing, detail and
resolution, photo uploads and scoped downloads as "Photos" says), and validates EVERY response
against the spec:

- the status code is listed explicitly for that operation (`default` does not count);
- the body matches the schema documented for that status (204: no body; /metrics: text; photo
  bytes: application/octet-stream);
- the response carries X-Request-ID.

Each check prints one line; the last line is exactly `N passed, M failed`. Exit status 1 if any
check failed. The server is always stopped at the end.

Only the standard library plus PyYAML, jsonschema and referencing (see requirements.txt).
"""
from __future__ import annotations

import base64
import copy
import datetime as dt
import gzip
import hashlib
import http.client
import json
import os
import random
import re
import signal
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

HERE = Path(__file__).resolve().parent
SPEC_BASE = "urn:gridsync:openapi"
MAX_CHANGES = 5
MAX_BODY = 65536
MAX_BLOB = 65536
BLOB_CHUNK = 4096
STARTUP_TIMEOUT = 30.0

# ---------------------------------------------------------------------------------------- output

PASSED = 0
FAILED = 0
FAILURES: list[str] = []


def check(name: str, ok: bool, detail: str = "") -> bool:
    global PASSED, FAILED
    if ok:
        PASSED += 1
        print(f"PASS {name}")
    else:
        FAILED += 1
        line = f"FAIL {name}" + (f": {detail}" if detail else "")
        FAILURES.append(line)
        print(line)
    sys.stdout.flush()
    return ok


# ---------------------------------------------------------------------------------------- spec


class Spec:
    def __init__(self, path: Path):
        self.doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(self.doc, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(SPEC_BASE, resource)
        self.formats = FormatChecker()

        @self.formats.checks("date-time", raises=ValueError)
        def _date_time(value: object) -> bool:
            if not isinstance(value, str):
                return True
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", value):
                raise ValueError(f"not RFC 3339: {value!r}")
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return True

        self.routes: list[tuple[re.Pattern[str], str]] = []
        for template in self.doc["paths"]:
            pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")) + "$"
            self.routes.append((re.compile(pattern), template))

    @staticmethod
    def escape(token: str) -> str:
        return token.replace("~", "~0").replace("/", "~1")

    def pointer(self, pointer: str):
        node = self.doc
        for part in pointer.lstrip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def deref(self, node: dict, pointer: str) -> tuple[dict, str]:
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            assert ref.startswith("#"), ref
            pointer = ref[1:]
            node = self.pointer(pointer)
        return node, pointer

    def template(self, path: str) -> str | None:
        for pattern, template in self.routes:
            if pattern.match(path):
                return template
        return None

    def validator(self, pointer: str) -> Draft202012Validator:
        return Draft202012Validator({"$ref": f"{SPEC_BASE}#{pointer}"}, registry=self.registry,
                                    format_checker=self.formats)

    def schema_errors(self, pointer: str, instance) -> list[str]:
        errors = sorted(self.validator(pointer).iter_errors(instance), key=lambda e: list(e.absolute_path))
        out = []
        for error in errors[:3]:
            where = "/".join(str(p) for p in error.absolute_path) or "<root>"
            out.append(f"{where}: {error.message[:200]}")
        return out

    def request_schema_pointer(self, method: str, template: str) -> str | None:
        op = self.doc["paths"][template].get(method.lower())
        if not op or "requestBody" not in op:
            return None
        body, ptr = self.deref(op["requestBody"], f"/paths/{self.escape(template)}/{method.lower()}/requestBody")
        if "application/json" not in body.get("content", {}):
            return None
        return ptr + "/content/application~1json/schema"

    def conformance(self, method: str, path: str, resp: "Resp") -> list[str]:
        """Problems with `resp` as an answer to `method path`, per the spec."""
        problems = []
        if not resp.headers.get("x-request-id"):
            problems.append("no X-Request-ID header")
        template = self.template(path)
        op = self.doc["paths"][template].get(method.lower()) if template else None
        if op is None:
            # Not in the spec: must be 404 not_found with an ErrorEnvelope (info.description).
            if resp.status != 404:
                problems.append(f"{method} {path} is not in the spec but answered {resp.status}, not 404")
            problems += self._json_body(resp, "/components/schemas/ErrorEnvelope")
            return problems
        base = f"/paths/{self.escape(template)}/{method.lower()}/responses"
        responses = op["responses"]
        key = str(resp.status)
        if key not in responses:
            problems.append(f"status {resp.status} not documented for {method.upper()} {template} "
                            f"(documented: {', '.join(k for k in responses if k != 'default')})")
            return problems
        response, ptr = self.deref(responses[key], f"{base}/{key}")
        for header, spec in (response.get("headers") or {}).items():
            spec, _ = self.deref(spec, "")
            if spec.get("required") and not resp.headers.get(header.lower()):
                problems.append(f"documented required header {header} missing")
        content = response.get("content")
        if not content:
            if resp.body:
                problems.append(f"status {resp.status} documents no body, got {len(resp.body)} bytes")
            return problems
        if "application/json" in content:
            problems += self._json_body(resp, ptr + "/content/application~1json/schema")
        elif "text/plain" in content:
            ctype = resp.headers.get("content-type", "")
            if not ctype.startswith("text/plain"):
                problems.append(f"content-type {ctype!r}, documented text/plain")
            try:
                resp.body.decode("utf-8")
            except UnicodeDecodeError:
                problems.append("text body is not UTF-8")
        elif "application/octet-stream" in content:
            ctype = resp.headers.get("content-type", "")
            if not ctype.startswith("application/octet-stream"):
                problems.append(f"content-type {ctype!r}, documented application/octet-stream")
        return problems

    def _json_body(self, resp: "Resp", schema_pointer: str) -> list[str]:
        ctype = resp.headers.get("content-type", "")
        if not ctype.startswith("application/json"):
            return [f"content-type {ctype!r}, documented application/json"]
        if resp.json is None:
            return ["body is not JSON"]
        return [f"schema: {e}" for e in self.schema_errors(schema_pointer, resp.json)]


# ---------------------------------------------------------------------------------------- HTTP


class Resp:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status = status
        self.headers = headers
        self.wire_bytes = len(body)
        if headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    @property
    def error(self) -> dict:
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"]
        return {}

    def short(self) -> str:
        text = self.body.decode("utf-8", "replace")
        return f"{self.status} {text[:300]}"


class Client:
    def __init__(self, spec: Spec, port: int):
        self.spec = spec
        self.port = port
        self.seen: dict[tuple[str, str], set[int]] = {}

    def call(self, label: str, method: str, path: str, *, body=None, raw: bytes | None = None,
             token: str | None = None, version: str | None = "1", query: dict | None = None,
             headers: dict | None = None, chunked: bool = False, check_request: bool = False) -> Resp:
        """One request; checks its response against the spec (one line) and returns it."""
        hdrs = {"Accept": "application/json"}
        if version is not None:
            hdrs["GridSync-Protocol"] = version
        if token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        if headers:
            hdrs.update(headers)
        data = raw
        if body is not None:
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            template = self.spec.template(path)
            pointer = self.spec.request_schema_pointer(method, template) if template else None
            if check_request and pointer:
                errs = self.spec.schema_errors(pointer, body)
                check(f"{label}: request conforms to spec", not errs, "; ".join(errs))
        if data is not None:
            hdrs.setdefault("Content-Type", "application/json")
        url = path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            try:
                if chunked and data is not None:
                    pieces = [data[i:i + 8192] for i in range(0, len(data), 8192)]
                    conn.request(method, url, body=iter(pieces), headers=hdrs, encode_chunked=True)
                else:
                    conn.request(method, url, body=data, headers=hdrs)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may answer an oversized body before reading all of it
            r = conn.getresponse()
            resp = Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        except (OSError, http.client.HTTPException) as error:
            check(f"{label}: response conforms to spec", False, f"transport error {error!r}")
            return Resp(0, {}, b"")
        finally:
            conn.close()
        template = self.spec.template(path)
        if template:
            self.seen.setdefault((method.lower(), template), set()).add(resp.status)
        problems = self.spec.conformance(method, path, resp)
        check(f"{label}: {method} {path} -> {resp.status} conforms to spec", not problems,
              "; ".join(problems) + f" [response {resp.short()}]")
        return resp


def expect(label: str, resp: Resp, status: int, code: str | None = None, **fields) -> bool:
    """The scenario's expectation of one response."""
    problems = []
    if resp.status != status:
        problems.append(f"status {resp.status}, expected {status}")
    if code is not None and resp.error.get("code") != code:
        problems.append(f"code {resp.error.get('code')!r}, expected {code!r}")
    for key, want in fields.items():
        got = resp.error.get(key)
        if got != want:
            problems.append(f"{key} {got!r}, expected {want!r}")
    return check(label, not problems, "; ".join(problems) + f" [response {resp.short()}]")


# ---------------------------------------------------------------------------------------- client-side replica


class Replica:
    """A terminal's view of records, enough to build changes exactly per Protocol/README.md."""

    def __init__(self, replica_id: str):
        self.id = replica_id
        self.states: dict[tuple[str, str], dict] = {}
        self.seq = 0

    def state(self, kind: str, record: str) -> dict:
        return self.states.setdefault((kind, record), {"entries": {}, "context": {"compact": {}}, "clock": {}})

    def join_pulled(self, envelope: dict) -> None:
        """Joins a pulled state (RecordState join, README "The join")."""
        mine = self.state(envelope["kind"], envelope["id"])
        theirs = envelope["state"]
        def in_ctx(ctx, dot):
            replica, counter = dot.rsplit(":", 1)
            return int(counter) <= ctx.get("compact", {}).get(replica, 0) or dot in ctx.get("cloud", [])
        entries = {}
        for path in set(mine["entries"]) | set(theirs["entries"]):
            a = mine["entries"].get(path, {})
            b = theirs["entries"].get(path, {})
            kept = {}
            for dot, value in a.items():
                if dot in b or not in_ctx(theirs["context"], dot):
                    kept[dot] = value
            for dot, value in b.items():
                if dot not in kept and (dot in a or not in_ctx(mine["context"], dot)):
                    kept[dot] = value
            if kept:
                entries[path] = kept
        compact = dict(mine["context"].get("compact", {}))
        for replica, counter in theirs["context"].get("compact", {}).items():
            compact[replica] = max(compact.get(replica, 0), counter)
        cloud = sorted(set(mine["context"].get("cloud", [])) | set(theirs["context"].get("cloud", [])))
        cloud = [d for d in cloud if int(d.rsplit(":", 1)[1]) > compact.get(d.rsplit(":", 1)[0], 0)]
        clock = dict(mine["clock"])
        for replica, counter in list(theirs.get("clock", {}).items()) + list(compact.items()):
            clock[replica] = max(clock.get(replica, 0), counter)
        mine.update(entries=entries, context={"compact": compact, **({"cloud": cloud} if cloud else {})}, clock=clock)

    def change(self, kind: str, record: str, fields: dict, *, change_id: str | None = None,
               delete: bool = False) -> dict:
        """README "Building a change": fields in path order get the replica's next counters; the
        clock includes the dots; supersedes lists every value held for each written field plus
        `_deleted`'s (a delete supersedes everything held). Applied locally at once."""
        state = self.state(kind, record)
        clock = dict(state["clock"])
        writes, superseded = {}, set()
        if delete:
            fields = {"_deleted": True}
            for values in state["entries"].values():
                superseded |= set(values)
        elif "_deleted" not in fields:
            superseded |= set(state["entries"].get("_deleted", {}))
        for path in sorted(fields):
            clock[self.id] = clock.get(self.id, 0) + 1
            writes[path] = {"dot": f"{self.id}:{clock[self.id]}", "value": fields[path]}
            superseded |= set(state["entries"].get(path, {}))
        change = {
            "id": change_id or f"c-{uuid.uuid4()}",
            "kind": kind,
            "recordId": record,
            "clock": clock,
            "supersedes": sorted(superseded, key=lambda d: (d.rsplit(":", 1)[0], int(d.rsplit(":", 1)[1]))),
            "writes": writes,
        }
        # Local join of the change's delta.
        for path in list(state["entries"]):
            state["entries"][path] = {d: v for d, v in state["entries"][path].items()
                                      if d not in superseded or d == writes.get(path, {}).get("dot")}
            if not state["entries"][path]:
                del state["entries"][path]
        for path, write in writes.items():
            state["entries"].setdefault(path, {})[write["dot"]] = write["value"]
        compact = state["context"]["compact"]
        for dot in list(superseded) + [w["dot"] for w in writes.values()]:
            replica, counter = dot.rsplit(":", 1)
            if int(counter) == compact.get(replica, 0) + 1:
                compact[replica] = int(counter)
        state["clock"] = clock
        return change


def is_server_replica(replica: str) -> bool:
    """Resolutions are written under `server`, or `server-<n>` per instance where several share a store."""
    return re.fullmatch(r"server(-[1-9][0-9]*)?", replica) is not None


def is_server_dot(dot: str) -> bool:
    return is_server_replica(dot.rsplit(":", 1)[0])


def id_number(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(first17, weights))
    return first17 + "10X98765432"[total % 11]


# ---------------------------------------------------------------------------------------- server


def start_server(binary: str, workdir: Path, postgres: str | None = None) -> tuple[subprocess.Popen, int, str, Path]:
    port_file = workdir / "port"
    token_file = workdir / "admin.token"
    log_path = workdir / "server.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [binary, "--host", "127.0.0.1", "--port", "0", "--port-file", str(port_file),
         "--admin-token-file", str(token_file),
         *(["--postgres", postgres] if postgres else ["--database", str(workdir / "gridsync.sqlite")]),
         "--max-changes-per-push", str(MAX_CHANGES), "--max-body-bytes", str(MAX_BODY),
         "--max-blob-bytes", str(MAX_BLOB), "--blob-chunk-bytes", str(BLOB_CHUNK),
         # The check pushes and pulls faster than a storm; photos must not wait it out here.
         "--photos-yield-at", "1000000",
         "--log-level", "warning"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=workdir,
        env={k: v for k, v in os.environ.items() if not k.startswith("GRIDSYNC_")})
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; log: {log_path.read_text(errors='replace')[-2000:]}")
        text = port_file.read_text().strip() if port_file.exists() else ""
        if text.isdigit() and token_file.exists() and token_file.read_text().strip():
            return process, int(text), token_file.read_text().strip(), log_path
        time.sleep(0.1)
    raise RuntimeError(f"no port file within {STARTUP_TIMEOUT:.0f}s")


def restore(binary: str, workdir: Path, client: Client, admin: str) -> None:
    """README "Backup and restore", Protocol/README.md "Restores and rebase" (SQLite only):
    a backup taken while the server runs, a server started on it, and a terminal's cursor from
    after the backup answered with a fresh page marked rebase."""
    call = client.call
    r = call("register device for the restore", "POST", "/v1/admin/devices", body={"worker": "赵六", "grids": [G12]}, token=admin)
    r = call("enrol device for the restore", "POST", "/v1/enroll",
             body={"enrollmentCode": (r.json or {}).get("enrollmentCode", ""), "appVersion": "1.4.2"})
    if not expect("the restore's device enrols", r, 200):
        return
    token, terminal = r.json["token"], Replica(r.json["replicaId"])
    fields = {"address": {"building": "9", "room": "901", "unit": "1"}, "grid": G12, "type": "resident"}
    before, after = terminal.change("household", "hh-restore-1", fields), terminal.change("household", "hh-restore-2", fields)
    r = call("push before the backup", "POST", "/v1/push", body={"changes": [before]}, token=token)
    expect("a change before the backup is accepted", r, 200)
    backup = workdir / "backup.sqlite"
    done = subprocess.run([binary, "backup", "--database", str(workdir / "gridsync.sqlite"), "--to", str(backup)],
                          capture_output=True, text=True, timeout=60)
    check("gridsync-server backup copies the live database", done.returncode == 0 and backup.exists(), done.stdout + done.stderr)
    again = subprocess.run([binary, "backup", "--database", str(workdir / "gridsync.sqlite"), "--to", str(backup)],
                           capture_output=True, text=True, timeout=60)
    check("a backup never overwrites a file", again.returncode != 0 and "exists" in again.stderr, again.stderr)
    r = call("push after the backup", "POST", "/v1/push", body={"changes": [after]}, token=token)
    expect("a change after the backup is accepted", r, 200)
    r = call("pull after the backup", "GET", "/v1/pull", token=token)
    cursor = (r.json or {}).get("cursor")
    check("an ordinary pull carries no rebase", r.status == 200 and "rebase" not in (r.json or {}), r.short())
    if not backup.exists() or not cursor:
        return
    restored = workdir / "restored"
    restored.mkdir()
    shutil.copy(backup, restored / "gridsync.sqlite")
    (restored / "admin.token").write_text(admin)
    process = None
    try:
        process, port, _, _ = start_server(binary, restored)
        call = Client(client.spec, port).call
        r = call("pull with a cursor from after the backup", "GET", "/v1/pull", token=token, query={"cursor": cursor})
        page = r.json or {}
        ids = [envelope.get("id") for envelope in page.get("records", [])]
        check("the restored server answers a cursor of the lost history from the start, marked rebase",
              r.status == 200 and page.get("rebase") is True and "hh-restore-1" in ids and "hh-restore-2" not in ids, r.short())
        r = call("push again after the rebase", "POST", "/v1/push", body={"changes": [before, after]}, token=token)
        results = [result.get("outcome") for result in (r.json or {}).get("results", [])]
        check("pushed again, the change the backup kept is answered, the lost one applied",
              r.status == 200 and results[1:] == ["applied"] and results[0] != "rejected", r.short())
        r = call("pull after the rebase", "GET", "/v1/pull", token=token, query={"cursor": page.get("cursor", "")})
        check("the rebase happens once", r.status == 200 and "rebase" not in (r.json or {}), r.short())
    except (OSError, RuntimeError) as error:
        check("a server starts on the backup", False, str(error))
    finally:
        if process is not None:
            stop_server(process)


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# ---------------------------------------------------------------------------------------- scenario

G12 = "futian/shatou/community-03/grid-12"
G07 = "futian/shatou/community-03/grid-07"
C03 = "futian/shatou/community-03"


def run(client: Client, admin: str) -> None:
    c = client
    call = c.call

    # ---- service endpoints
    r = call("health", "GET", "/health", version=None, headers={"X-Request-ID": "conf-health-1"})
    expect("health is ok with the configured limits", r, 200)
    check("health: limits as configured",
          (r.json or {}).get("limits") == {"maxBodyBytes": MAX_BODY, "maxChangesPerPush": MAX_CHANGES, "maxPullPage": 500,
                                            "maxClockEntries": 256, "maxSupersedes": 25000, "maxRecordReplicas": 1024,
                                            "maxValueDepth": 16, "maxValueBytes": 65536, "maxRecordBytes": 8388608,
                                            "maxBlobBytes": MAX_BLOB, "blobChunkBytes": BLOB_CHUNK},
          r.short())
    check("X-Request-ID of the request is echoed", r.headers.get("x-request-id") == "conf-health-1", str(r.headers))
    r = call("health, odd request id", "GET", "/health", version=None, headers={"X-Request-ID": "not allowed_!"})
    check("an X-Request-ID of another form is replaced by a minted one",
          r.headers.get("x-request-id") not in (None, "", "not allowed_!"), str(r.headers))
    r = call("metrics", "GET", "/metrics", version=None)
    expect("metrics answers 200 without token or version header", r, 200)

    # ---- version header and unknown routes
    r = call("no version header", "GET", "/v1/admin/grids", version=None, token=admin)
    expect("missing GridSync-Protocol is 426", r, 426, "unsupported_protocol_version", supportedVersions=[1, 2])
    r = call("version 99", "POST", "/v1/push", version="99", body={"changes": []})
    expect("unsupported version is 426 before the token is looked at", r, 426, "unsupported_protocol_version")
    for method, path in (("GET", "/v1/nope"), ("GET", "/nope"), ("DELETE", "/v1/push"), ("GET", "/v1/admin/tokens")):
        r = call("unknown route", method, path, token=admin)
        expect(f"unknown route {method} {path} is 404", r, 404, "not_found")

    # ---- authentication
    r = call("no token", "GET", "/v1/admin/grids")
    expect("no token is 401 unauthenticated", r, 401, "unauthenticated")
    r = call("unknown ops token", "GET", "/v1/admin/grids", token="gso_" + "x" * 43)
    expect("unknown token is 401 unauthenticated", r, 401, "unauthenticated")
    r = call("non-bearer", "GET", "/v1/admin/status", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    expect("non-bearer authorization is 401 unauthenticated", r, 401, "unauthenticated")
    check("bootstrap admin token has the ops prefix gso_", admin.startswith("gso_"), admin[:4])

    # ---- grids
    hierarchy = {
        "grids": [{"name": "福田区", "path": "futian"}, {"name": "沙头街道", "path": "futian/shatou"},
                  {"name": "第三社区", "path": C03}, {"name": "第12网格", "path": G12}, {"name": "第7网格", "path": G07}],
        "assignments": [{"grids": [G12], "worker": "李四"}, {"grids": [G12], "worker": "王五"}],
    }
    bad = copy.deepcopy(hierarchy)
    bad["assignments"].append({"grids": [G12, "luohu/dongmen"], "worker": "赵六"})
    r = call("grids import, unknown grid", "PUT", "/v1/admin/grids", body=bad, token=admin, check_request=True)
    expect("assignment to a grid not in the hierarchy is 422", r, 422, "unprocessable", field="assignments[2].grids[1]")
    r = call("grids import, blank worker", "PUT", "/v1/admin/grids", token=admin,
             body={"grids": hierarchy["grids"], "assignments": [{"grids": [G12], "worker": "  "}]})
    expect("assignment with a blank worker is 422", r, 422, "unprocessable", field="assignments[0].worker")
    r = call("grids after refused import", "GET", "/v1/admin/grids", token=admin)
    check("a refused import changes nothing", r.json == {"assignments": [], "grids": []}, r.short())
    r = call("grids import", "PUT", "/v1/admin/grids", body=hierarchy, token=admin, check_request=True)
    expect("grid import is 200", r, 200)
    check("grid import returns the hierarchy in force",
          r.json == {"assignments": sorted(hierarchy["assignments"], key=lambda a: a["worker"]),
                     "grids": sorted(hierarchy["grids"], key=lambda g: g["path"])}, r.short())
    r = call("grids import, not JSON", "PUT", "/v1/admin/grids", raw=b"{grids:", token=admin)
    expect("grid import that is not JSON is 400 malformed_json", r, 400, "malformed_json")
    r = call("grids import, wrong type", "PUT", "/v1/admin/grids", body={"grids": "futian", "assignments": []}, token=admin)
    expect("grid import of the wrong shape is 400 invalid_request", r, 400, "invalid_request", field="grids")
    r = call("grids import, bad path", "PUT", "/v1/admin/grids", body={"grids": [{"path": "Futian"}], "assignments": []}, token=admin)
    expect("grid import with a malformed path is 400 invalid_request", r, 400, "invalid_request", field="grids[0].path")

    # ---- ops tokens
    tokens = {}
    for name, role in (("shatou-viewer-1", "viewer"), ("shatou-centre-1", "resolver"), ("temp-admin", "admin")):
        r = call(f"issue {role} token", "POST", "/v1/admin/tokens", body={"name": name, "role": role}, token=admin, check_request=True)
        expect(f"issuing a {role} token is 201", r, 201)
        tokens[role] = (r.json or {}).get("token", "")
        tokens[role + "-id"] = (r.json or {}).get("tokenId", "")
        check(f"{role} token has the ops prefix gso_", tokens[role].startswith("gso_"), tokens[role][:6])
    viewer, resolver = tokens["viewer"], tokens["resolver"]
    r = call("issue token as viewer", "POST", "/v1/admin/tokens", body={"name": "x", "role": "viewer"}, token=viewer)
    expect("issuing a token needs admin: viewer is 403", r, 403, "forbidden")
    r = call("issue token, bad role", "POST", "/v1/admin/tokens", body={"name": "x", "role": "superuser"}, token=admin)
    expect("unknown role is 400 invalid_request", r, 400, "invalid_request", field="role")
    r = call("issue token, long name", "POST", "/v1/admin/tokens", body={"name": "n" * 65, "role": "viewer"}, token=admin)
    expect("over-long token name is 400 invalid_request", r, 400, "invalid_request", field="name")
    r = call("use temp admin", "GET", "/v1/admin/status", token=tokens["admin"])
    expect("a new admin token works", r, 200)
    r = call("revoke temp admin", "POST", f"/v1/admin/tokens/{tokens['admin-id']}/revoke", token=admin)
    expect("revoking an ops token is 204", r, 204)
    check("204 has no body", r.body == b"", repr(r.body[:100]))
    r = call("use revoked admin", "GET", "/v1/admin/status", token=tokens["admin"])
    expect("revoked ops token is 401 token_revoked", r, 401, "token_revoked",
           message="token revoked: ask an admin for a new one")
    r = call("revoke again", "POST", f"/v1/admin/tokens/{tokens['admin-id']}/revoke", token=admin)
    expect("revoking a revoked token is 404", r, 404, "not_found")
    r = call("revoke unknown token", "POST", "/v1/admin/tokens/ops-nosuchtoken/revoke", token=admin)
    expect("revoking an unknown token is 404", r, 404, "not_found")
    r = call("revoke token as resolver", "POST", f"/v1/admin/tokens/{tokens['viewer-id']}/revoke", token=resolver)
    expect("revoking a token needs admin: resolver is 403", r, 403, "forbidden")

    # ---- devices and enrolment
    devices = {}
    for key, worker, grids in (("A", "李四", [G12]), ("B", "王五", [G12]), ("D", "周八", [C03]), ("R", "孙七", [G12])):
        r = call(f"register device {key}", "POST", "/v1/admin/devices", body={"worker": worker, "grids": grids},
                 token=admin, check_request=True)
        expect(f"registering device {key} is 201", r, 201)
        devices[key] = dict(r.json or {})
        check(f"device {key} enrolment code has the prefix gse_", devices[key].get("enrollmentCode", "").startswith("gse_"),
              str(devices[key].get("enrollmentCode", ""))[:6])
    check("registering adds the grids to the worker's assignment (scope is the whole assignment)",
          devices["A"].get("grids") == [G12], str(devices["A"]))
    r = call("register device, unknown grid", "POST", "/v1/admin/devices", body={"worker": "钱九", "grids": [G12, "luohu/dongmen"]}, token=admin)
    expect("registering for a grid not in the hierarchy is 422", r, 422, "unprocessable", field="grids[1]")
    r = call("register device, no grids", "POST", "/v1/admin/devices", body={"worker": "钱九", "grids": []}, token=admin)
    expect("registering with no grids is 400", r, 400, "invalid_request", field="grids")
    r = call("register device as viewer", "POST", "/v1/admin/devices", body={"worker": "钱九", "grids": [G12]}, token=viewer)
    expect("registering needs admin: viewer is 403", r, 403, "forbidden")
    r = call("register device, wrong type", "POST", "/v1/admin/devices", body={"worker": "钱九", "grids": G12}, token=admin)
    expect("registering with grids of the wrong type is 400", r, 400, "invalid_request", field="grids")

    r = call("register device E", "POST", "/v1/admin/devices", body={"worker": "李四", "grids": [G12]}, token=admin)
    expect("registering a second device for 李四 is 201", r, 201)
    spare = dict(r.json or {})
    r = call("revoke device E before enrolment", "POST", f"/v1/admin/devices/{spare.get('deviceId')}/revoke", token=admin)
    expect("revoking a device awaiting enrolment is 200", r, 200)
    r = call("enrol revoked device E", "POST", "/v1/enroll", body={"enrollmentCode": spare.get("enrollmentCode", ""), "appVersion": "1.4.2"})
    expect("enrolling a device revoked before enrolment is 409 already_used", r, 409, "already_used")

    enrolled = {}
    for key, model in (("A", "HT-910"), ("B", "HT-910"), ("D", "HT-920"), ("R", "HT-910")):
        body = {"enrollmentCode": devices[key]["enrollmentCode"], "appVersion": "1.4.2", "deviceModel": model}
        r = call(f"enrol device {key}", "POST", "/v1/enroll", body=body, check_request=True)
        expect(f"enrolling device {key} is 200", r, 200)
        enrolled[key] = dict(r.json or {})
        check(f"device {key} token has the prefix gsd_", enrolled[key].get("token", "").startswith("gsd_"))
    check("enrolment limits are the server's", enrolled["A"].get("limits", {}).get("maxChangesPerPush") == MAX_CHANGES)
    check("device D's scope is its worker's assignment", enrolled["D"].get("scope") == [C03], str(enrolled["D"].get("scope")))
    r = call("enrol twice", "POST", "/v1/enroll", body={"enrollmentCode": devices["A"]["enrollmentCode"], "appVersion": "1.4.2"})
    expect("a used enrolment code is 409 already_used", r, 409, "already_used")
    r = call("enrol unknown code", "POST", "/v1/enroll", body={"enrollmentCode": "gse_" + "q" * 43, "appVersion": "1.4.2"})
    expect("an unknown enrolment code is 401 unauthenticated", r, 401, "unauthenticated")
    r = call("enrol, not JSON", "POST", "/v1/enroll", raw=b"enrollmentCode=1")
    expect("an enrolment body that is not JSON is 400 malformed_json", r, 400, "malformed_json")
    r = call("enrol, deflate", "POST", "/v1/enroll", raw=b"x", headers={"Content-Encoding": "deflate"})
    expect("any endpoint refuses a Content-Encoding other than gzip: 415 unsupported_encoding", r, 415, "unsupported_encoding")
    r = call("enrol, gzipped", "POST", "/v1/enroll", raw=gzip.compress(b'{"enrollmentCode":"gse_' + b"q" * 43 + b'","appVersion":"1.4.2"}'),
             headers={"Content-Encoding": "gzip"})
    expect("any endpoint reads a gzipped body (here: an unknown code, 401)", r, 401, "unauthenticated")
    r = call("enrol, missing appVersion", "POST", "/v1/enroll", body={"enrollmentCode": "gse_x"})
    expect("an enrolment without appVersion is 400 invalid_request", r, 400, "invalid_request", field="appVersion")
    r = call("enrol, oversized", "POST", "/v1/enroll", body={"enrollmentCode": "gse_x", "appVersion": "1", "deviceModel": "m" * 20000})
    expect("an oversized enrolment body is 413 with limit", r, 413, "payload_too_large")
    check("413 carries limit", isinstance(r.error.get("limit"), int), r.short())
    r = call("enrol without version header", "POST", "/v1/enroll", body={"enrollmentCode": "gse_x", "appVersion": "1"}, version=None)
    expect("enrolment without GridSync-Protocol is 426", r, 426, "unsupported_protocol_version")

    A = Replica(enrolled["A"]["replicaId"])
    B = Replica(enrolled["B"]["replicaId"])
    D = Replica(enrolled["D"]["replicaId"])
    tA, tB, tD, tR = (enrolled[k]["token"] for k in "ABDR")

    def push(label, token, changes, device=None, **kw):
        body = {"changes": changes}
        if device is not None:
            body["device"] = device
        return call(label, "POST", "/v1/push", body=body, token=token, **kw)

    def outcome(label, resp, i, want, code=None, field=None):
        results = (resp.json or {}).get("results") or []
        got = results[i] if i < len(results) else {}
        ok = resp.status == 200 and got.get("outcome") == want
        if code is not None:
            ok = ok and (got.get("reason") or {}).get("code") == code
        if field is not None:
            ok = ok and (got.get("reason") or {}).get("field") == field
        return check(label, ok, f"result {got} [response {resp.short()}]")

    def pull_all(label, token, replica, limit=None, cursor=None):
        records, pages, scope = [], 0, None
        while True:
            query = {}
            if cursor:
                query["cursor"] = cursor
            if limit:
                query["limit"] = str(limit)
            r = call(label, "GET", "/v1/pull", token=token, query=query)
            if r.status != 200 or not isinstance(r.json, dict):
                check(f"{label}: page is 200", False, r.short())
                return records, cursor, scope
            pages += 1
            for envelope in r.json["records"]:
                records.append(envelope)
                if replica is not None:
                    replica.join_pulled(envelope)
            cursor = r.json["cursor"]
            if scope is None:
                scope = r.json["scope"]
            if not r.json["hasMore"] or pages > 50:
                return records, cursor, scope

    # ---- push: create, retry, conflict
    household = "hh-0192"
    member = {"id": "m-01", "idNumber": id_number("44030419520314003"), "name": "张国强", "phone": "13800138000",
              "relation": "head", "tags": ["elderlyLivingAlone"]}
    create = A.change("household", household, {
        "address": {"building": "沙头新村 12 栋", "room": "301", "unit": "2 单元"},
        "grid": G12, "members/m-01": member, "type": "resident"})
    check("creating change: fields in path order get counters 1-4",
          [w["dot"] for _, w in sorted(create["writes"].items())] == [f"{A.id}:{n}" for n in (1, 2, 3, 4)], json.dumps(create))
    r = push("push create", tA, [create], device={"pendingChanges": 1, "appVersion": "1.4.2"}, check_request=True)
    outcome("creating a household is applied", r, 0, "applied")
    r = push("push create again", tA, [create])
    outcome("re-sending a change id returns its first result (applied)", r, 0, "applied")
    r = push("push create from another device", tB, [create])
    outcome("change ids are global: another device re-sending it gets the first result", r, 0, "applied")

    pull_all("B pulls the household", tB, B)
    noteA = A.change("household", household, {"notes": "一楼独居老人，每周上门一次"})
    noteB = B.change("household", household, {"notes": "已搬至养老院"})
    check("B's concurrent note: clock extends what B pulled, nothing superseded",
          noteB["clock"] == {A.id: 4, B.id: 1} and noteB["supersedes"] == [], json.dumps(noteB, ensure_ascii=False))
    r = push("push A's note", tA, [noteA], check_request=True)
    outcome("A's note fast-forwards: applied", r, 0, "applied")
    r = push("push B's note", tB, [noteB], check_request=True)
    outcome("B's concurrent note of the same field: conflict", r, 0, "conflict")
    check("recordInConflict after the concurrent note", ((r.json or {}).get("results") or [{}])[0].get("recordInConflict") is True, r.short())
    replay = dict(noteB, id=f"c-{uuid.uuid4()}")
    r = push("push B's note under a new id", tB, [replay])
    outcome("a dot already seen is stale", r, 0, "stale")
    memberB = B.change("household", household, {"members/m-02": {"id": "m-02", "name": "刘桂英", "relation": "spouse", "tags": ["disabled"]}})
    r = push("push B's new member", tB, [memberB])
    outcome("a concurrent edit of another field is merged", r, 0, "merged")

    # ---- push: per-change rejections
    badPhone = A.change("household", household, {"members/m-03": {"id": "m-03", "name": "张小明", "phone": "12345", "relation": "child", "tags": []}})
    r = push("push bad phone", tA, [badPhone])
    outcome("malformed phone is rejected malformed_phone at members/m-03.phone", r, 0, "rejected", "malformed_phone", "members/m-03.phone")
    r = push("push bad phone again", tA, [badPhone])
    outcome("a re-sent rejected change gets its first result (rejected) again", r, 0, "rejected", "malformed_phone")
    badGrid = A.change("household", "hh-0193", {"address": {"building": "1", "room": "101", "unit": ""}, "grid": "futian/Shatou/grid 1", "type": "rented"})
    r = push("push bad grid", tA, [badGrid])
    outcome("a bad grid value is rejected malformed_grid_path at grid", r, 0, "rejected", "malformed_grid_path", "grid")
    elsewhere = A.change("household", "hh-0701", {"address": {"building": "7", "room": "702", "unit": "1"}, "grid": G07, "type": "resident"})
    r = push("push out of scope", tA, [elsewhere])
    outcome("a record in a grid outside the scope is rejected out_of_scope", r, 0, "rejected", "out_of_scope")
    incomplete = A.change("household", "hh-0194", {"grid": G12, "type": "resident"})
    r = push("push incomplete", tA, [incomplete])
    outcome("a new record missing a required property is rejected incomplete_record", r, 0, "rejected", "incomplete_record", "address")
    ghost = A.change("household", "hh-never", {}, delete=True)
    r = push("push delete of unknown record", tA, [ghost])
    outcome("deleting a record the server never saw is rejected incomplete_record", r, 0, "rejected", "incomplete_record")

    patrol = "pt-20261124-a"
    start = A.change("patrol", patrol, {
        "grid": G12, "worker": "李四", "startedAt": "2026-11-24T08:30:00.000Z",
        "trackPoints/t-0001": {"id": "t-0001", "position": {"latitude": 22.5246, "longitude": 114.0361}, "recordedAt": "2026-11-24T08:31:00.000Z"}})
    r = push("push patrol start", tA, [start])
    outcome("starting a patrol is applied", r, 0, "applied")
    rewrite = A.change("patrol", patrol, {"trackPoints/t-0001": {"id": "t-0001", "position": {"latitude": 22.6, "longitude": 114.1}, "recordedAt": "2026-11-24T08:31:00.000Z"}})
    r = push("push rewritten track point", tA, [rewrite])
    outcome("rewriting an append-only element is rejected immutable_element", r, 0, "rejected", "immutable_element", "trackPoints/t-0001")
    early = A.change("patrol", patrol, {"endedAt": "2026-11-24T08:00:00.000Z"})
    r = push("push end before start", tA, [early])
    outcome("an end before the start is rejected end_before_start (merged record, no conflict)", r, 0, "rejected", "end_before_start")
    ended = A.change("patrol", patrol, {"endedAt": "2026-11-24T10:05:00.000Z",
                                        "findings/f-01": {"category": "blockedFireExit", "description": "三楼消防通道堆放杂物", "handledOnSpot": True, "id": "f-01",
                                                          "location": {"latitude": 22.5246, "longitude": 114.0361}, "reportedAt": "2026-11-24T08:41:00.000Z", "severity": "medium"}})
    r = push("push patrol end", tA, [ended])
    outcome("ending the patrol with a finding fast-forwards: applied", r, 0, "applied")
    visit = A.change("householdVisit", "hv-0001", {
        "grid": G12, "householdID": household, "visitor": "李四", "visitedAt": "2026-11-24T09:05:00.000Z", "outcome": "notAtHome", "peopleMet": ["m-01"]})
    r = push("push visit people met while not at home", tA, [visit])
    outcome("peopleMet while not met is rejected out_of_range", r, 0, "rejected", "out_of_range")

    # An imported outbox: dots of an old installation's replica, pushed by another device of the
    # same worker (device E, registered for 李四 like A, then revoked), and refused from anyone else.
    r = call("list devices for E's replica", "GET", "/v1/admin/devices", token=admin)
    listed = {d.get("deviceId"): d for d in (r.json or {}).get("devices", [])}
    old = Replica(listed.get(spare.get("deviceId"), {}).get("replicaId", "r-missing"))
    check("a device's id and its replica id differ", all(d.get("deviceId") != d.get("replicaId") for d in listed.values()))
    log = old.change("visitLog", "vl-20261124-li", {"day": "2026-11-24", "grid": G12, "worker": "李四",
                                                     "entries/e-01": {"at": "2026-11-24T10:02:00.000Z", "id": "e-01", "text": "走访12栋2单元，3户在家"}})
    r = push("push imported outbox", tA, [log])
    outcome("dots may be under a replica the worker's earlier handset held (imported outbox): applied", r, 0, "applied")
    stranger = Replica("r-not-this-workers")
    foreign = stranger.change("visitLog", "vl-20261124-wang", {"day": "2026-11-24", "grid": G12, "worker": "王五"})
    r = push("push under a foreign replica", tB, [foreign])
    outcome("dots under a replica no device of the worker held are rejected foreign_replica", r, 0, "rejected", "foreign_replica", "day")

    # ---- push: whole-request errors
    r = call("push, not JSON", "POST", "/v1/push", raw=b'{"changes":[', token=tA)
    expect("a push that is not JSON is 400 malformed_json", r, 400, "malformed_json")
    check("every /v1 answer says request bodies may be gzipped (Accept-Encoding: gzip)", r.headers.get("accept-encoding") == "gzip", str(r.headers))

    # ---- compression (README "Compression")
    zipped_note = A.change("household", "hh-0193", {
        "address": {"building": "沙头新村 12 栋", "room": "302", "unit": "2 单元"}, "grid": G12, "type": "resident",
        "notes": "楼道堆物已清理"})
    body = json.dumps({"changes": [zipped_note]}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    r = call("push, gzipped", "POST", "/v1/push", raw=gzip.compress(body), token=tA, headers={"Content-Encoding": "gzip"})
    outcome("a gzipped push is read like a plain one", r, 0, "applied")
    r = call("push, unknown coding", "POST", "/v1/push", raw=body, token=tA, headers={"Content-Encoding": "br"})
    expect("a Content-Encoding other than gzip is 415 unsupported_encoding", r, 415, "unsupported_encoding")
    r = call("push, claims gzip", "POST", "/v1/push", raw=body, token=tA, headers={"Content-Encoding": "gzip"})
    expect("a body that claims gzip but is not is 400 malformed_encoding", r, 400, "malformed_encoding")
    r = call("push, gzip bomb", "POST", "/v1/push", raw=gzip.compress(b" " * (MAX_BODY * 4)), token=tA, headers={"Content-Encoding": "gzip"})
    expect("a gzipped body that inflates past the limit is 413 payload_too_large", r, 413, "payload_too_large", limit=MAX_BODY)
    plain = call("pull, plain", "GET", "/v1/pull", token=tA)
    zipped = call("pull, gzip", "GET", "/v1/pull", token=tA, headers={"Accept-Encoding": "gzip"})
    check("a pull page of 1 KiB or more is gzipped when asked, and not otherwise",
          zipped.headers.get("content-encoding") == "gzip" and "content-encoding" not in plain.headers and len(plain.body) >= 1024,
          f"{zipped.headers} / {plain.headers}")
    check("the gzipped page inflates to exactly the plain page's records",
          isinstance(zipped.json, dict) and isinstance(plain.json, dict) and zipped.json["records"] == plain.json["records"]
          and zipped.wire_bytes < len(plain.body), f"{zipped.wire_bytes} vs {len(plain.body)}")
    wrongKind = dict(A.change("household", household, {"notes": "x"}), kind="house")
    r = push("push, unknown kind", tA, [noteA, wrongKind])
    expect("an unknown kind fails the whole push: 400 changes[1].kind", r, 400, "invalid_request", field="changes[1].kind")
    badClock = dict(A.change("household", household, {"notes": "y"}))
    badClock["clock"] = {"not a replica!": 3}
    r = push("push, bad clock key", tA, [badClock])
    expect("a bad clock key fails the whole push: 400 changes[0].clock", r, 400, "invalid_request", field="changes[0].clock")
    badType = dict(A.change("household", household, {"notes": "z"}))
    badType["writes"] = ["notes"]
    r = push("push, wrong JSON type", tA, [badType])
    expect("writes of the wrong JSON type fail the whole push: 400 changes[0].writes", r, 400, "invalid_request", field="changes[0].writes")
    r = call("push, no changes member", "POST", "/v1/push", body={"device": {"pendingChanges": 0}}, token=tA)
    expect("a push without changes is 400 invalid_request", r, 400, "invalid_request", field="changes")
    many = [A.change("visitLog", f"vl-many-{i}", {"day": "2026-11-24", "grid": G12, "worker": "李四"}) for i in range(MAX_CHANGES + 1)]
    r = push("push, too many", tA, many)
    expect("more than maxChangesPerPush changes is 413 too_many_changes", r, 413, "too_many_changes", limit=MAX_CHANGES)
    big = A.change("household", household, {"notes": "备注" * 20000})
    r = push("push, oversized", tA, [big])
    expect("a body over maxBodyBytes is 413 payload_too_large", r, 413, "payload_too_large", limit=MAX_BODY)
    r = call("push, oversized chunked", "POST", "/v1/push", body={"changes": [big]}, token=tA, chunked=True)
    expect("a chunked body over maxBodyBytes is 413 payload_too_large", r, 413, "payload_too_large", limit=MAX_BODY)
    r = push("push, ops token", admin, [noteA])
    expect("an ops token on /v1/push is 403 forbidden", r, 403, "forbidden")
    r = push("push, no token", None, [noteA])
    expect("a push without a token is 401", r, 401, "unauthenticated")
    r = push("push, no version", tA, [noteA], version=None)
    expect("a push without GridSync-Protocol is 426", r, 426, "unsupported_protocol_version")

    # ---- pull
    records, cursorA, scope = pull_all("A pulls, one record per page", tA, A, limit=1)
    hh = [e for e in records if e["id"] == household]
    check("pull brings the household in conflict with both notes as siblings",
          bool(hh) and hh[-1]["inConflict"] and len(hh[-1]["state"]["entries"].get("notes", {})) == 2, json.dumps(hh[-1:], ensure_ascii=False)[:400])
    check("pull scope is the device's assignment", scope is not None and scope.get("grids") == [G12], str(scope))
    r = call("pull, bad cursor", "GET", "/v1/pull", token=tA, query={"cursor": "not-a-cursor!"})
    expect("a cursor the server cannot read is 400 field cursor", r, 400, "invalid_request", field="cursor")
    for bad_limit in ("0", "-3", "ten"):
        r = call(f"pull, limit={bad_limit}", "GET", "/v1/pull", token=tA, query={"limit": bad_limit})
        expect(f"limit={bad_limit} is 400 field limit", r, 400, "invalid_request", field="limit")
    r = call("pull, huge limit", "GET", "/v1/pull", token=tA, query={"limit": "100000"})
    expect("a limit above maxPullPage is capped, not refused", r, 200)
    r = call("pull, ops token", "GET", "/v1/pull", token=viewer)
    expect("an ops token on /v1/pull is 403 forbidden", r, 403, "forbidden")
    r = call("pull, device token on admin", "GET", "/v1/admin/conflicts", token=tA)
    expect("a device token on an admin endpoint is 403 forbidden", r, 403, "forbidden")
    r = call("pull, after cursor", "GET", "/v1/pull", token=tA, query={"cursor": cursorA})
    expect("pull from the stored cursor is 200", r, 200)
    check("nothing new after the stored cursor", r.json is not None and r.json.get("records") == [] and r.json.get("hasMore") is False, r.short())

    # ---- a record moved out of A's scope by D (community scope)
    moving = "hh-0310"
    made = D.change("household", moving, {"address": {"building": "3", "room": "201", "unit": "1"}, "grid": G12, "type": "rented"})
    r = push("D creates a household", tD, [made])
    outcome("D creates a household in grid-12: applied", r, 0, "applied")
    _, cursorA, _ = pull_all("A pulls D's household", tA, A, cursor=cursorA)
    move = D.change("household", moving, {"grid": G07})
    r = push("D moves it", tD, [move])
    outcome("D moves the household to grid-07: applied", r, 0, "applied")
    records, cursorA, _ = pull_all("A pulls after the move", tA, None, cursor=cursorA)
    moved = [e for e in records if e["id"] == moving]
    check("a record moved out of scope is sent once more with its new grids and an empty state",
          bool(moved) and moved[-1]["grids"] == [G07]
          and moved[-1]["state"] == {"clock": {}, "context": {"compact": {}}, "entries": {}}
          and moved[-1]["inConflict"] is False and moved[-1]["deleted"] is False,
          json.dumps(moved, ensure_ascii=False)[:400])
    r = push("A edits the moved record", tA, [A.change("household", moving, {"notes": "搬走了吗"})])
    outcome("an edit of a record moved out of scope is rejected out_of_scope", r, 0, "rejected", "out_of_scope")

    # ---- scope change through the grid import
    wider = copy.deepcopy(hierarchy)
    wider["assignments"] = [{"grids": [G07, G12], "worker": "李四"}, {"grids": [G12], "worker": "王五"},
                            {"grids": [G12], "worker": "孙七"}, {"grids": [C03], "worker": "周八"}]
    r = call("grids import, widen 李四", "PUT", "/v1/admin/grids", body=wider, token=admin)
    expect("re-import with 李四 also covering grid-07 is 200", r, 200)
    records, cursorA, scope = pull_all("A pulls after widening", tA, A, cursor=cursorA)
    check("scope.entered lists the new grid", scope is not None and scope.get("entered") == [G07] and scope.get("left") == [], str(scope))
    check("the entered grid's records are backfilled", any(e["id"] == moving and e["state"]["entries"] for e in records),
          json.dumps([e["id"] for e in records]))
    r = call("grids import, narrow 李四", "PUT", "/v1/admin/grids", body={**wider, "assignments": [
        {"grids": [G12], "worker": "李四"}, {"grids": [G12], "worker": "王五"}, {"grids": [G12], "worker": "孙七"}, {"grids": [C03], "worker": "周八"}]}, token=admin)
    expect("re-import narrowing 李四 again is 200", r, 200)
    _, cursorA, scope = pull_all("A pulls after narrowing", tA, A, cursor=cursorA)
    check("scope.left lists the grid that left", scope is not None and scope.get("left") == [G07], str(scope))

    # ---- conflicts: list, show, resolve
    r = call("list conflicts", "GET", "/v1/admin/conflicts", token=viewer)
    expect("listing conflicts is 200", r, 200)
    summaries = [s for s in (r.json or {}).get("conflicts", []) if s.get("id") == household]
    summary = summaries[0] if summaries else {}
    check("the household is listed in conflict on notes with two sides",
          summary.get("fields") == ["notes"] and summary.get("siblings") == 2 and summary.get("deleteConflict") is False
          and sorted(summary.get("workers", [])) == ["李四", "王五"], json.dumps(summary, ensure_ascii=False))
    version = summary.get("version", 0)
    r = call("list conflicts filtered", "GET", "/v1/admin/conflicts", token=viewer, query={"under": "futian/shatou", "kind": "household"})
    expect("listing with under and kind is 200", r, 200)
    check("the filter keeps the household", any(s.get("id") == household for s in (r.json or {}).get("conflicts", [])), r.short())
    r = call("list conflicts elsewhere", "GET", "/v1/admin/conflicts", token=viewer, query={"under": "luohu"})
    check("a filter elsewhere lists nothing", r.status == 200 and (r.json or {}).get("conflicts") == [], r.short())
    r = call("list conflicts, bad under", "GET", "/v1/admin/conflicts", token=viewer, query={"under": "Futian/Shatou"})
    expect("a malformed under is 400 field under", r, 400, "invalid_request", field="under")
    r = call("list conflicts, bad kind", "GET", "/v1/admin/conflicts", token=viewer, query={"kind": "house"})
    expect("an unknown kind is 400 field kind", r, 400, "invalid_request", field="kind")
    r = call("show conflict", "GET", f"/v1/admin/conflicts/household/{household}", token=viewer)
    expect("showing the conflict is 200", r, 200)
    detail = r.json or {}
    notes = [f for f in detail.get("fields", []) if f.get("field") == "notes"]
    check("detail shows both notes as candidates keyed by replica",
          bool(notes) and notes[0].get("status") == "conflict" and set(notes[0].get("candidates", {})) == {A.id, B.id},
          json.dumps(detail, ensure_ascii=False)[:500])
    check("detail has a side per replica", sorted(s.get("replica") for s in detail.get("sides", [])) == sorted([A.id, B.id]), str(detail.get("sides")))
    r = call("show unknown record", "GET", "/v1/admin/conflicts/household/hh-none", token=viewer)
    expect("showing an unknown record is 404", r, 404, "not_found")
    r = call("show record not in conflict", "GET", f"/v1/admin/conflicts/patrol/{patrol}", token=viewer)
    expect("showing a record that is not in conflict is 404", r, 404, "not_found")
    r = call("show bad kind", "GET", "/v1/admin/conflicts/house/hh-0192", token=viewer)
    expect("showing an unknown kind is 404", r, 404, "not_found")

    resolve_path = f"/v1/admin/conflicts/household/{household}/resolve"
    r = call("resolve as viewer", "POST", resolve_path, body={"expectedVersion": version, "keep": B.id}, token=viewer)
    expect("resolving needs the resolver role: viewer is 403", r, 403, "forbidden")
    r = call("resolve stale version", "POST", resolve_path, body={"expectedVersion": version - 1, "keep": B.id, "reason": "电话核实"}, token=resolver)
    expect("a stale expectedVersion is 409 conflict_changed", r, 409, "conflict_changed")
    r = call("resolve keep and delete", "POST", resolve_path, body={"expectedVersion": version, "keep": B.id, "delete": True}, token=resolver)
    expect("keep and delete together is 400", r, 400, "invalid_request")
    r = call("resolve nothing", "POST", resolve_path, body={"expectedVersion": version, "delete": False}, token=resolver)
    expect("no choice (delete false counts as absent) is 400", r, 400, "invalid_request")
    r = call("resolve not JSON", "POST", resolve_path, raw=b"keep=dev", token=resolver)
    expect("a resolution that is not JSON is 400 malformed_json", r, 400, "malformed_json")
    r = call("resolve unknown side", "POST", resolve_path, body={"expectedVersion": version, "keep": "dev-nobody"}, token=resolver)
    expect("keeping a replica that is not a side is 422", r, 422, "unprocessable")
    r = call("resolve undecided", "POST", resolve_path, body={"expectedVersion": version, "set": {"type": "rented"}}, token=resolver)
    expect("a set that leaves notes undecided is 422", r, 422, "unprocessable")
    r = call("resolve invalid set", "POST", resolve_path, body={"expectedVersion": version, "set": {"notes": 42}}, token=resolver)
    expect("a set value that fails validation is 422 with field", r, 422, "unprocessable", field="notes")
    r = call("resolve unknown record", "POST", "/v1/admin/conflicts/household/hh-none/resolve", body={"expectedVersion": 1, "delete": True}, token=resolver)
    expect("resolving an unknown record is 404", r, 404, "not_found")
    r = call("resolve keep B", "POST", resolve_path, body={"expectedVersion": version, "keep": B.id, "reason": "电话核实：已搬至养老院"},
             token=resolver, check_request=True)
    expect("resolving by keeping B's side is 200", r, 200)
    resolved = r.json or {}
    record = resolved.get("record", {})
    check("the resolution's change id is res-<random>", str(resolved.get("changeId", "")).startswith("res-"), str(resolved.get("changeId")))
    check("after resolution the record is not in conflict and holds B's note under a server dot",
          record.get("inConflict") is False
          and list(record.get("state", {}).get("entries", {}).get("notes", {}).values()) == ["已搬至养老院"]
          and all(is_server_dot(d) for d in record.get("state", {}).get("entries", {}).get("notes", {})),
          json.dumps(record, ensure_ascii=False)[:500])
    r = call("resolve again", "POST", resolve_path, body={"expectedVersion": record.get("seq", 0), "keep": B.id}, token=resolver)
    expect("resolving a record no longer in conflict is 422", r, 422, "unprocessable")
    r = call("show resolved", "GET", f"/v1/admin/conflicts/household/{household}", token=viewer)
    expect("showing a resolved record is 404", r, 404, "not_found")
    records, _, _ = pull_all("B pulls the resolution", tB, B)
    check("devices pull the resolution", any(e["id"] == household and not e["inConflict"] for e in records), json.dumps([e["id"] for e in records]))

    # ---- delete conflict (a delete racing an edit), revival, then a delete racing the revival
    pull_all("A pulls the resolution", tA, A)
    dele = A.change("household", household, {}, delete=True)
    edit = B.change("household", household, {"notes": "老人已回家"})
    r = push("A deletes", tA, [dele])
    outcome("A's delete is applied", r, 0, "applied")
    r = push("B edits concurrently", tB, [edit])
    outcome("B's concurrent edit of the deleted record is a (delete) conflict", r, 0, "conflict")
    pull_all("D pulls the delete conflict", tD, D)
    r = call("list delete conflict", "GET", "/v1/admin/conflicts", token=viewer, query={"kind": "household"})
    summary = next((s for s in (r.json or {}).get("conflicts", []) if s.get("id") == household), {})
    check("the delete conflict is listed with deleteConflict true and no conflicting field",
          summary.get("deleteConflict") is True and summary.get("fields") == [], json.dumps(summary, ensure_ascii=False))
    r = call("resolve delete conflict by keeping the editor", "POST", resolve_path,
             body={"expectedVersion": summary.get("version", 0), "keep": B.id, "reason": "入户核实：仍有人居住"}, token=resolver)
    expect("keeping the editing side of a delete conflict is 200", r, 200)
    revived = (r.json or {}).get("record", {})
    check("keeping the editor revives the record: _deleted false by replica server",
          revived.get("deleted") is False and revived.get("inConflict") is False
          and list(revived.get("state", {}).get("entries", {}).get("_deleted", {}).values()) == [False]
          and all(is_server_dot(d) for d in revived.get("state", {}).get("entries", {}).get("_deleted", {})),
          json.dumps(revived, ensure_ascii=False)[:500])
    again = D.change("household", household, {}, delete=True)
    r = push("D deletes without having seen the revival", tD, [again])
    outcome("a delete racing the revival is a conflict (merge vector 024)", r, 0, "conflict")
    r = call("list delete-vs-revive", "GET", "/v1/admin/conflicts", token=viewer, query={"kind": "household", "under": G12})
    summary = next((s for s in (r.json or {}).get("conflicts", []) if s.get("id") == household), {})
    check("_deleted holding true and false is listed as a delete conflict",
          summary.get("deleteConflict") is True and summary.get("fields") == [], json.dumps(summary, ensure_ascii=False))
    r = call("show delete-vs-revive", "GET", f"/v1/admin/conflicts/household/{household}", token=viewer)
    expect("showing the delete-vs-revive conflict is 200", r, 200)
    sides = {s.get("replica"): s.get("deletes") for s in (r.json or {}).get("sides", [])}
    check("its sides are the deleter and the reviving server replica",
          len(sides) == 2 and sides.get(D.id) is True
          and any(is_server_replica(r) and v is False for r, v in sides.items()), str(sides))
    r = call("resolve by delete", "POST", resolve_path, body={"expectedVersion": summary.get("version", 0), "delete": True}, token=admin)
    expect("an admin resolving by delete is 200", r, 200)
    check("the record is deleted after the delete resolution", (r.json or {}).get("record", {}).get("deleted") is True, r.short())

    # ---- devices list and revocation
    r = call("list devices", "GET", "/v1/admin/devices", token=viewer)
    expect("listing devices is 200", r, 200)
    listed = {d.get("deviceId"): d for d in (r.json or {}).get("devices", [])}
    check("every registered device is listed", all(devices[k]["deviceId"] in listed for k in "ABDR"), str(list(listed)))
    check("an active device that pushed reports pendingChanges and appVersion",
          listed.get(devices["A"]["deviceId"], {}).get("appVersion") == "1.4.2", json.dumps(listed.get(devices["A"]["deviceId"]), ensure_ascii=False))
    r = call("revoke device as viewer", "POST", f"/v1/admin/devices/{devices['R']['deviceId']}/revoke", token=viewer)
    expect("revoking a device needs admin: viewer is 403", r, 403, "forbidden")
    r = call("revoke device", "POST", f"/v1/admin/devices/{devices['R']['deviceId']}/revoke", token=admin)
    expect("revoking a device is 200", r, 200)
    check("the revoked device's summary says revoked", (r.json or {}).get("status") == "revoked", r.short())
    r = push("push with revoked device", tR, [A.change("visitLog", "vl-r", {"day": "2026-11-24", "grid": G12, "worker": "孙七"})])
    expect("a revoked device's push is 401 token_revoked", r, 401, "token_revoked", message="token revoked: ask an admin for a new one")
    r = call("pull with revoked device", "GET", "/v1/pull", token=tR)
    expect("a revoked device's pull is 401 token_revoked", r, 401, "token_revoked")
    r = call("revoke unknown device", "POST", "/v1/admin/devices/dev-nosuchdevice/revoke", token=admin)
    expect("revoking an unknown device is 404", r, 404, "not_found")

    # ---- terminal diagnostics (README "Admin: devices")
    report = {"appVersion": "1.4.2", "deviceTime": "2030-01-01T00:00:00.000Z", "freeStorageBytes": 3200000000,
              "lastErrorKind": "unreachable", "oldestPendingSeconds": 5400, "parkedChanges": 2, "pendingChanges": 0}
    r = push("push a full device report", tB, [], device=report, check_request=True)
    expect("a push with every device member is 200", r, 200)
    r = push("push with a long appVersion", tB, [], device={**report, "appVersion": "1.4.2-" + "b" * 40})
    expect("a long appVersion, which older clients sent, is still accepted", r, 200)
    for member, value in (("lastErrorKind", "张三 13800000000"), ("parkedChanges", -1), ("freeStorageBytes", -5)):
        r = push(f"push with a bad device.{member}", tB, [], device={**report, member: value})
        expect(f"device.{member} out of bounds is 400 with its field", r, 400, "invalid_request", field=f"device.{member}")
        check(f"the refusal of device.{member} does not echo it", "张三" not in r.body.decode("utf-8", "replace"), r.short())
    r = call("show a device", "GET", f"/v1/admin/devices/{devices['B']['deviceId']}", token=viewer)
    expect("showing a device is 200", r, 200)
    shown = r.json or {}
    check("the device's last report is kept, with the clock skew read against the server's receipt",
          (shown.get("report") or {}).get("parkedChanges") == 2 and (shown.get("report") or {}).get("lastErrorKind") == "unreachable"
          and (shown.get("report") or {}).get("clockSkewSeconds", 0) > 86400, json.dumps(shown, ensure_ascii=False)[:400])
    check("the device's refused requests of the day are counted (the three bad reports)", shown.get("clientErrors24h", 0) >= 3, r.short()[:300])
    check("a long appVersion is kept cut to 32 characters", (shown.get("report") or {}).get("appVersion") == ("1.4.2-" + "b" * 40)[:32], r.short()[:300])
    check("a device with parked changes lists the problem parked",
          any(p.get("kind") == "parked" for p in shown.get("problems", [])), json.dumps(shown.get("problems"), ensure_ascii=False))
    r = call("show an unknown device", "GET", "/v1/admin/devices/dev-nosuchdevice", token=viewer)
    expect("showing an unknown device is 404", r, 404, "not_found")
    r = call("failing devices", "GET", "/v1/admin/devices/failing", token=viewer)
    expect("listing failing devices is 200", r, 200)
    failing = {d["summary"]["deviceId"]: {p["kind"] for p in d.get("problems", [])} for d in (r.json or {}).get("devices", [])}
    check("the revoked device, still calling, is listed revoked", failing.get(devices["R"]["deviceId"]) == {"revoked"}, str(failing))
    check("the device reporting parked changes is listed", "parked" in failing.get(devices["B"]["deviceId"], set()), str(failing))
    r = call("failing devices, device token", "GET", "/v1/admin/devices/failing", token=tB)
    expect("a device token on failing devices is 403", r, 403, "forbidden")

    # ---- quarantine: set a record aside, list it, release it
    r = call("quarantine household", "POST", f"/v1/admin/records/household/{household}/quarantine", body={"reason": "核查中"},
             token=admin, check_request=True)
    expect("quarantining a record is 204", r, 204)
    r = call("list quarantined", "GET", "/v1/admin/records/quarantined", token=viewer)
    expect("listing quarantined records is 200", r, 200)
    check("the quarantined household is listed", any(q.get("id") == household for q in (r.json or {}).get("records", [])), r.short())
    r = call("quarantine as viewer", "POST", f"/v1/admin/records/household/{household}/quarantine", body={"reason": "x"}, token=viewer)
    expect("quarantining needs admin: viewer is 403", r, 403, "forbidden")
    r = call("quarantine, blank reason", "POST", f"/v1/admin/records/household/{household}/quarantine", body={"reason": "  "}, token=admin)
    expect("a blank reason is 400 with field reason", r, 400, "invalid_request", field="reason")
    r = call("quarantine unknown record", "POST", "/v1/admin/records/household/hh-nosuchrecord/quarantine", body={"reason": "x"}, token=admin)
    expect("quarantining an unknown record is 404", r, 404, "not_found")
    r = call("release household", "POST", f"/v1/admin/records/household/{household}/release", token=admin)
    expect("releasing a quarantined record is 204", r, 204)
    r = call("release again", "POST", f"/v1/admin/records/household/{household}/release", token=admin)
    expect("releasing a record that is not quarantined is 404", r, 404, "not_found")

    # ---- work orders: a report pushed under protocol version 2, then the command centre's views and a move
    order, action = "wo-0311", "a-0301"
    fields = {"category": "blockedFireExit", "grid": G12, "reportedAt": "2026-11-24T08:42:00.000Z", "reporter": "李四",
              "source": {"channel": "walkIn"}, "state": "reported", "summary": "三楼消防通道堆放杂物，需物业清理", "urgency": "yellow"}
    # README "Building a move": dots follow field-path order, so the state write's dot is known before the change exists.
    paths = sorted([*fields, f"actions/{action}"])
    state_dot = f"{A.id}:{A.state('workOrder', order)['clock'].get(A.id, 0) + 1 + paths.index('state')}"
    fields[f"actions/{action}"] = {"at": "2026-11-24T08:42:00.000Z", "by": "李四", "id": action, "replaces": [],
                                   "stateDot": state_dot, "to": "reported"}
    report = A.change("workOrder", order, fields)
    check("the report's action names the dot of its own state write", report["writes"]["state"]["dot"] == state_dot,
          json.dumps(report, ensure_ascii=False))
    r = push("A reports a work order", tA, [report], version="2", check_request=True)
    outcome("a work order reported under protocol version 2 is applied", r, 0, "applied")
    r = call("list work orders", "GET", "/v1/admin/orders", token=viewer, query={"under": "futian/shatou", "state": "reported"})
    expect("listing work orders is 200", r, 200)
    listed = next((o for o in (r.json or {}).get("orders", []) if o.get("id") == order), {})
    check("the order is listed with its state, urgency and grid",
          listed.get("states") == ["reported"] and listed.get("urgency") == "yellow" and listed.get("grids") == [G12],
          json.dumps(listed, ensure_ascii=False))
    r = call("work-order figures", "GET", "/v1/admin/orders/stats", token=viewer, query={"under": C03})
    expect("the work-order figures are 200", r, 200)
    figures = r.json or {}
    check("the figures count the one order, reported and open",
          figures.get("total") == 1 and figures.get("open") == 1 and figures.get("byState") == {"reported": 1}, r.short())
    r = call("show work order", "GET", f"/v1/admin/orders/{order}", token=viewer)
    expect("showing a work order is 200", r, 200)
    shown = r.json or {}
    timeline = shown.get("timeline") or [{}]
    check("its timeline holds the report, with the server's receipt time",
          [(e.get("action"), e.get("to")) for e in timeline] == [(action, "reported")] and bool(timeline[0].get("receivedAt")),
          json.dumps(timeline, ensure_ascii=False))
    check("an order without photos lists no photo digests", shown.get("photoDigests") == [] and shown.get("photos") == 0, r.short()[:300])
    r = call("move work order", "POST", f"/v1/admin/orders/{order}/move", token=resolver, check_request=True,
             body={"expectedVersion": (shown.get("order") or {}).get("version", 0), "reason": "属实", "to": "accepted"})
    expect("accepting the reported order is 200", r, 200)
    moved = r.json or {}
    check("the move is a server change (ops-…) and leaves the order accepted",
          str(moved.get("changeId", "")).startswith("ops-") and (moved.get("order") or {}).get("states") == ["accepted"], r.short())
    r = call("show moved work order", "GET", f"/v1/admin/orders/{order}", token=viewer)
    last = ((r.json or {}).get("timeline") or [{}])[-1]
    check("the timeline ends with the command centre's move from reported, by ops:<token name>",
          last.get("from") == "reported" and last.get("to") == "accepted" and last.get("by") == "ops:shatou-centre-1"
          and is_server_replica(str(last.get("action", "")).rsplit("-", 1)[0]), json.dumps(last, ensure_ascii=False))

    # ---- photos (README "Photos"): content-addressed, resumable uploads; scoped, ranged downloads
    def content_digest(data: bytes) -> str:
        return "sha-256=:" + base64.b64encode(hashlib.sha256(data).digest()).decode("ascii") + ":"

    def begin(label, token, blob, size, **kw):
        return call(label, "POST", f"/v1/blobs/{blob}", body={"size": size}, token=token, **kw)

    def put_chunk(label, token, blob, index, data, digest=None):
        headers = {"Content-Type": "application/octet-stream"}
        if digest is not False:
            headers["Content-Digest"] = digest or content_digest(data)
        return call(label, "PUT", f"/v1/blobs/{blob}/chunks/{index}", raw=data, token=token, headers=headers)

    def blob_status(resp: Resp) -> dict:
        return resp.json if isinstance(resp.json, dict) else {}

    photo = random.Random(20261124).randbytes(3 * BLOB_CHUNK + 1000)
    name = hashlib.sha256(photo).hexdigest()
    def piece(i: int) -> bytes:
        return photo[i * BLOB_CHUNK:(i + 1) * BLOB_CHUNK]

    r = begin("begin a photo upload", tA, name, len(photo), check_request=True)
    expect("starting a photo upload is 200", r, 200)
    check("a new upload lists every chunk missing (the last one shorter), cut by blobChunkBytes",
          blob_status(r) == {"chunkSize": BLOB_CHUNK, "complete": False, "missing": [0, 1, 2, 3], "sha256": name, "size": len(photo)},
          r.short())
    check("upload answers carry Connection: close", r.headers.get("connection", "").lower() == "close", str(r.headers))
    r = put_chunk("photo chunk 0", tA, name, 0, piece(0))
    expect("a chunk with its Content-Digest is 200", r, 200)
    check("a chunk's answer lists what is still missing", blob_status(r).get("missing") == [1, 2, 3] and blob_status(r).get("complete") is False,
          r.short())
    check("chunk answers carry Connection: close", r.headers.get("connection", "").lower() == "close", str(r.headers))
    put_chunk("photo chunk 2", tA, name, 2, piece(2))
    r = begin("resume the photo upload", tA, name, len(photo))
    expect("asking again after a cut is 200", r, 200)
    check("a resumed upload lists only the chunks still missing", blob_status(r).get("missing") == [1, 3], r.short())
    r = put_chunk("photo chunk 0 again", tA, name, 0, piece(0))
    check("a chunk the server already holds (its answer was lost) is answered 200 and changes nothing",
          r.status == 200 and blob_status(r).get("missing") == [1, 3], r.short())
    r = put_chunk("photo chunk 1, wrong digest", tA, name, 1, piece(1), digest=content_digest(b"another chunk"))
    expect("a chunk that does not match its Content-Digest is 422 digest_mismatch field Content-Digest", r, 422, "digest_mismatch",
           field="Content-Digest")
    r = put_chunk("photo chunk 1, short", tA, name, 1, piece(1)[:100])
    expect("a chunk shorter than its index needs is 422 wrong_chunk_length with the length", r, 422, "wrong_chunk_length", limit=BLOB_CHUNK)
    r = put_chunk("photo chunk 1, too long", tA, name, 1, piece(1) + b"!")
    expect("a chunk body over blobChunkBytes is 413 payload_too_large", r, 413, "payload_too_large", limit=BLOB_CHUNK)
    r = put_chunk("photo chunk 4", tA, name, 4, b"!")
    expect("a chunk index past the end is 400 field index, with the chunk count", r, 400, "invalid_request", field="index", limit=4)
    r = put_chunk("photo chunk 1, no Content-Digest", tA, name, 1, piece(1), digest=False)
    expect("a chunk without Content-Digest is 400 field Content-Digest", r, 400, "invalid_request", field="Content-Digest")
    r = begin("resume after refused chunks", tA, name, len(photo))
    check("refused chunks leave nothing behind", blob_status(r).get("missing") == [1, 3], r.short())
    put_chunk("photo chunk 3", tA, name, 3, piece(3))
    r = put_chunk("photo chunk 1, the last missing", tA, name, 1, piece(1))
    expect("the last missing chunk is 200", r, 200)
    check("the last missing chunk completes the blob (the whole hashes to its name)",
          blob_status(r).get("complete") is True and blob_status(r).get("missing") == [], r.short())
    r = put_chunk("photo chunk after completion", tA, name, 3, piece(3))
    check("a chunk for a stored blob (a retried last chunk) answers complete",
          r.status == 200 and blob_status(r).get("complete") is True, r.short())
    r = begin("begin a stored photo", tB, name, len(photo), check_request=True)
    expect("starting the upload of a stored photo is 200", r, 200)
    check("a stored photo is answered complete at once, to any device: deduplicated in one request",
          blob_status(r).get("complete") is True and blob_status(r).get("missing") == [] and blob_status(r).get("size") == len(photo),
          r.short())

    empty = hashlib.sha256(b"").hexdigest()
    r = begin("begin an empty photo", tA, empty, 0)
    check("an empty blob is one empty chunk", r.status == 200 and blob_status(r).get("missing") == [0], r.short())
    r = put_chunk("the empty chunk", tA, empty, 0, b"")
    check("its empty chunk completes it", r.status == 200 and blob_status(r).get("complete") is True, r.short())

    claimed = hashlib.sha256("真的照片".encode("utf-8")).hexdigest()
    lie = random.Random(7).randbytes(BLOB_CHUNK + 10)
    r = begin("begin a photo under another's name", tA, claimed, len(lie))
    check("the false photo's upload lists two chunks", r.status == 200 and blob_status(r).get("missing") == [0, 1], r.short())
    r = put_chunk("false photo chunk 0", tA, claimed, 0, lie[:BLOB_CHUNK])
    check("each chunk of it matches its own digest and is kept", r.status == 200 and blob_status(r).get("missing") == [1], r.short())
    r = put_chunk("false photo chunk 1", tA, claimed, 1, lie[BLOB_CHUNK:])
    expect("chunks that together do not hash to the blob's name are 422 digest_mismatch field sha256", r, 422, "digest_mismatch",
           field="sha256")
    r = put_chunk("false photo chunk 1 again", tA, claimed, 1, lie[BLOB_CHUNK:])
    expect("every chunk was dropped: a further chunk is 409 upload_not_started", r, 409, "upload_not_started")
    r = begin("begin the false photo again", tA, claimed, len(lie))
    check("a fresh POST after a whole-blob mismatch lists every chunk missing again",
          r.status == 200 and blob_status(r).get("missing") == [0, 1] and blob_status(r).get("complete") is False, r.short())

    r = begin("begin an oversized photo", tA, hashlib.sha256(b"huge").hexdigest(), MAX_BLOB + 1)
    expect("a photo over maxBlobBytes is 413 blob_too_large with the limit, before any byte is sent", r, 413, "blob_too_large",
           limit=MAX_BLOB)
    r = begin("begin, negative size", tA, claimed, -1)
    expect("a negative size is 400 field size", r, 400, "invalid_request", field="size")
    r = begin("begin, upper-case name", tA, name.upper(), len(photo))
    expect("a name in upper case is 400 field sha256", r, 400, "invalid_request", field="sha256")
    r = begin("begin, ops token", admin, name, len(photo))
    expect("an ops token on /v1/blobs is 403 forbidden", r, 403, "forbidden")

    r = call("download an unnamed photo", "GET", f"/v1/blobs/{name}", token=tA)
    expect("a stored photo no record names is 404, even to its uploader", r, 404, "not_found")
    photo_patrol = "pt-20261124-photo"
    naming = A.change("patrol", photo_patrol, {"grid": G12, "worker": "李四", "startedAt": "2026-11-24T13:30:00.000Z",
                                               "photos/p-01": {"id": "p-01", "sha256": name, "uri": f"photo:{name}"}})
    r = push("A names the photo in a patrol", tA, [naming], check_request=True)
    outcome("a patrol naming the photo is applied", r, 0, "applied")
    r = call("download, the uploader", "GET", f"/v1/blobs/{name}", token=tA)
    expect("once a record in scope names it, the photo downloads: 200", r, 200)
    check("the download is the photo's bytes, ETag its quoted name, Accept-Ranges bytes",
          r.body == photo and r.headers.get("etag") == f'"{name}"' and r.headers.get("accept-ranges") == "bytes",
          f"{len(r.body)} bytes, {r.headers}")
    r = call("download, another device in scope", "GET", f"/v1/blobs/{name}", token=tB)
    check("another device whose scope holds the record downloads it too", r.status == 200 and r.body == photo, r.short()[:200])
    r = call("register device P", "POST", "/v1/admin/devices", body={"worker": "钱九", "grids": [G07]}, token=admin)
    expect("registering device P for grid-07 is 201", r, 201)
    r = call("enrol device P", "POST", "/v1/enroll", body={"enrollmentCode": (r.json or {}).get("enrollmentCode", ""), "appVersion": "1.4.2"})
    expect("enrolling device P is 200", r, 200)
    tP = (r.json or {}).get("token", "")
    hidden = call("download, out of scope", "GET", f"/v1/blobs/{name}", token=tP)
    expect("a device whose scope does not hold the record gets 404, even knowing the hash", hidden, 404, "not_found")
    absent = call("download, never stored", "GET", f"/v1/blobs/{'0' * 64}", token=tP)
    check("out of scope and absent answer alike: a guessed hash tells nothing",
          absent.status == 404 and hidden.error.get("code") == absent.error.get("code") and hidden.error.get("message") == absent.error.get("message"),
          f"{hidden.short()} / {absent.short()}")
    r = call("download a range", "GET", f"/v1/blobs/{name}", token=tB, headers={"Range": f"bytes={BLOB_CHUNK}-{2 * BLOB_CHUNK - 1}"})
    expect("a download with Range is 206", r, 206)
    check("206 carries exactly the range asked for, with Content-Range bytes a-b/size",
          r.body == photo[BLOB_CHUNK:2 * BLOB_CHUNK]
          and r.headers.get("content-range") == f"bytes {BLOB_CHUNK}-{2 * BLOB_CHUNK - 1}/{len(photo)}", f"{len(r.body)} bytes, {r.headers}")
    r = call("download an open range", "GET", f"/v1/blobs/{name}", token=tB, headers={"Range": f"bytes={3 * BLOB_CHUNK}-"})
    check("bytes=a- is the rest of the blob",
          r.status == 206 and r.body == photo[3 * BLOB_CHUNK:]
          and r.headers.get("content-range") == f"bytes {3 * BLOB_CHUNK}-{len(photo) - 1}/{len(photo)}", f"{r.status} {r.headers}")
    r = call("download a suffix range", "GET", f"/v1/blobs/{name}", token=tB, headers={"Range": "bytes=-100"})
    check("bytes=-n is the last n bytes", r.status == 206 and r.body == photo[-100:], f"{r.status} {r.headers}")
    r = call("download past the end", "GET", f"/v1/blobs/{name}", token=tB, headers={"Range": f"bytes={len(photo)}-"})
    expect("a range past the end is 416", r, 416, "invalid_request", field="Range", limit=len(photo))
    check("416 carries Content-Range bytes */size", r.headers.get("content-range") == f"bytes */{len(photo)}", f"{r.headers}")
    r = call("download with gzip asked for", "GET", f"/v1/blobs/{name}", token=tB, headers={"Accept-Encoding": "gzip"})
    check("photo bytes are never gzipped", r.status == 200 and r.body == photo and "content-encoding" not in r.headers, f"{r.status} {r.headers}")

    r = call("show a photo", "GET", f"/v1/admin/blobs/{name}", token=viewer)
    expect("showing a photo to a viewer is 200", r, 200)
    check("the photo's details give its size and the record that names it",
          (r.json or {}).get("size") == len(photo) and (r.json or {}).get("records") == [{"id": photo_patrol, "kind": "patrol"}], r.short())
    r = call("show an upload in progress", "GET", f"/v1/admin/blobs/{claimed}", token=viewer)
    check("an open upload shows the chunks received and no size",
          r.status == 200 and (r.json or {}).get("uploadedChunks") == 0 and "size" not in (r.json or {}), r.short())
    r = call("show an unknown photo", "GET", f"/v1/admin/blobs/{'0' * 64}", token=viewer)
    expect("a photo neither stored, uploading nor named is 404", r, 404, "not_found")
    r = call("show a photo, device token", "GET", f"/v1/admin/blobs/{name}", token=tA)
    expect("a device token on the admin photo view is 403 forbidden", r, 403, "forbidden")
    r = call("photo content", "GET", f"/v1/admin/blobs/{name}/content", token=viewer)
    check("ops read a stored photo's bytes", r.status == 200 and r.body == photo, r.short()[:200])
    r = call("photo content, range", "GET", f"/v1/admin/blobs/{name}/content", token=viewer, headers={"Range": "bytes=0-99"})
    check("ops read a range of them", r.status == 206 and r.body == photo[:100] and r.headers.get("content-range") == f"bytes 0-99/{len(photo)}",
          f"{r.status} {r.headers}")
    r = call("photo content, unnamed blob", "GET", f"/v1/admin/blobs/{empty}/content", token=viewer)
    check("ops read any stored blob, named or not", r.status == 200 and r.body == b"", r.short())
    r = call("photo content, not stored", "GET", f"/v1/admin/blobs/{claimed}/content", token=viewer)
    expect("the content of a blob not stored is 404", r, 404, "not_found")

    r = call("metrics after photos", "GET", "/metrics", version=None)
    exposition = r.body.decode("utf-8", "replace").splitlines()
    for metric in ("gridsync_blob_stored_bytes", "gridsync_blob_uploads_resumed_total", "gridsync_blob_chunks_resent_total",
                   "gridsync_blob_uploads_deduplicated_total", 'gridsync_blob_digest_mismatches_total{of="chunk"}',
                   'gridsync_blob_digest_mismatches_total{of="blob"}'):
        values = [line.rsplit(" ", 1)[1] for line in exposition if line.startswith(metric + " ")]
        check(f"/metrics has {metric} above 0", bool(values) and float(values[0]) > 0, str(values))

    # ---- households: masking, reveal, erasure (README "Admin: households", "Erasure")
    erased_hh = "hh-erase-1"
    canary = {"id": "m-01", "idNumber": id_number("44030419520314003"), "name": "金丝雀丁", "phone": "13800138001",
              "relation": "head", "tags": ["keyCare"]}
    r = push("push a household to erase", tA, [A.change("household", erased_hh, {
        "address": {"building": "沙头新村 3 栋", "room": "101", "unit": "1 单元"}, "grid": G12, "members/m-01": canary, "type": "resident"})])
    outcome("the household to erase is applied", r, 0, "applied")
    _, before_erasure, _ = pull_all("B pulls the household before its erasure", tB, B)
    r = call("show a household", "GET", f"/v1/admin/households/{erased_hh}", token=viewer)
    expect("showing a household to a viewer is 200", r, 200)
    shown = {f.get("field"): f.get("value") for f in (r.json or {}).get("fields", [])}.get("members/m-01") or {}
    check("a member's name, phone and ID number are masked; tags are not",
          (r.json or {}).get("masked") is True and shown.get("name") == "金***" and shown.get("phone") == "138****8001"
          and shown.get("idNumber") == canary["idNumber"][:3] + "*" * 11 + canary["idNumber"][-4:] and shown.get("tags") == ["keyCare"],
          json.dumps(shown, ensure_ascii=False))
    r = call("reveal a household, viewer", "GET", f"/v1/admin/households/{erased_hh}", token=viewer, query={"reveal": "true"})
    expect("revealing needs the admin role: 403 forbidden", r, 403, "forbidden")
    r = call("reveal a household", "GET", f"/v1/admin/households/{erased_hh}", token=admin, query={"reveal": "true"})
    revealed = {f.get("field"): f.get("value") for f in (r.json or {}).get("fields", [])}.get("members/m-01") or {}
    check("an admin's reveal shows the member whole", r.status == 200 and (r.json or {}).get("masked") is False and revealed == canary,
          json.dumps(revealed, ensure_ascii=False))
    r = call("reveal=maybe", "GET", f"/v1/admin/households/{erased_hh}", token=admin, query={"reveal": "maybe"})
    expect("reveal other than true or false is 400 field reveal", r, 400, "invalid_request", field="reveal")
    r = call("show an unknown household", "GET", "/v1/admin/households/hh-nobody", token=viewer)
    expect("an unknown household is 404", r, 404, "not_found")
    r = call("erase, viewer", "POST", f"/v1/admin/households/{erased_hh}/erase", token=viewer, body={"reason": "申请 1"})
    expect("erasing needs the admin role: 403 forbidden", r, 403, "forbidden")
    r = call("erase, blank reason", "POST", f"/v1/admin/households/{erased_hh}/erase", token=admin, body={"reason": "  "})
    expect("a blank erasure reason is 400 field reason", r, 400, "invalid_request", field="reason")
    r = call("erase an unknown household", "POST", "/v1/admin/households/hh-nobody/erase", token=admin, body={"reason": "申请 0"})
    expect("erasing an unknown household is 404", r, 404, "not_found")
    r = call("erase a household", "POST", f"/v1/admin/households/{erased_hh}/erase", token=admin, body={"reason": "本人申请删除 2026-118"})
    expect("erasing a household is 200", r, 200)
    erasure = r.json or {}
    device_ids = {enrolled[k]["deviceId"] for k in "AB"}
    check("the erasure lists A and B among the terminals to confirm, all pending",
          device_ids <= {t.get("deviceId") for t in erasure.get("terminals", [])}
          and all("confirmedAt" not in t for t in erasure.get("terminals", [])), json.dumps(erasure, ensure_ascii=False)[:400])
    r = call("erase it again", "POST", f"/v1/admin/households/{erased_hh}/erase", token=admin, body={"reason": "again"})
    check("erasing twice returns the first erasure", r.status == 200 and (r.json or {}).get("version") == erasure.get("version")
          and (r.json or {}).get("reason") == "本人申请删除 2026-118", r.short())
    r = call("show an erased household", "GET", f"/v1/admin/households/{erased_hh}", token=admin, query={"reveal": "true"})
    check("an erased household shows no field, even revealed", r.status == 200 and (r.json or {}).get("erased") is True
          and (r.json or {}).get("fields") == [], r.short())
    records, after_erasure, _ = pull_all("B pulls the erasure", tB, None, cursor=before_erasure)
    sent = [e for e in records if e.get("id") == erased_hh]
    check("pull sends the household erased: a bare delete by a server replica",
          len(sent) == 1 and sent[0].get("erased") is True and sent[0].get("deleted") is True
          and list(sent[0]["state"]["entries"]) == ["_deleted"]
          and all(is_server_dot(d) for d in sent[0]["state"]["entries"]["_deleted"]), json.dumps(sent, ensure_ascii=False)[:400])
    check("nothing of the member is left in the pulled state", "金丝雀" not in json.dumps(sent, ensure_ascii=False))
    r = push("a late change to the erased household", tB, [B.change("household", erased_hh, {"notes": "迟到的修改"})])
    outcome("a late change to an erased household is rejected erased", r, 0, "rejected", code="erased")
    r = push("re-creating the erased household", tA, [Replica(A.id + "-fresh").change("household", erased_hh, {
        "address": {"building": "1", "room": "1", "unit": "1"}, "grid": G12, "type": "resident"}, change_id="c-erase-recreate")])
    outcome("a re-creation is refused erased too, before any other rule (step 0)", r, 0, "rejected", code="erased")
    pull_all("B presents the cursor past the erasure", tB, None, cursor=after_erasure)
    r = call("list erasures", "GET", "/v1/admin/households/erasures", token=viewer)
    expect("listing erasures is 200", r, 200)
    listed_erasure = next((e for e in (r.json or {}).get("erasures", []) if e.get("id") == erased_hh), {})
    confirmed = {t.get("deviceId") for t in listed_erasure.get("terminals", []) if "confirmedAt" in t}
    check("B confirmed the erasure by pulling past it; A, which has not pulled, is still pending",
          enrolled["B"]["deviceId"] in confirmed and enrolled["A"]["deviceId"] not in confirmed, json.dumps(listed_erasure, ensure_ascii=False)[:500])
    r = call("metrics after an erasure", "GET", "/metrics", version=None)
    values = [line.rsplit(" ", 1)[1] for line in r.body.decode("utf-8", "replace").splitlines() if line.startswith("gridsync_erasures_total ")]
    check("/metrics counts erasures", bool(values) and float(values[0]) >= 1, str(values))

    # ---- status
    r = call("fleet status", "GET", "/v1/admin/status", token=viewer)
    expect("fleet status is 200", r, 200)
    check("fleet status has the street futian/shatou", any(s.get("street") == "futian/shatou" for s in (r.json or {}).get("streets", [])), r.short())

    # ---- audit
    r = call("audit", "GET", "/v1/admin/audit", token=viewer)
    expect("reading the audit log is 200", r, 200)
    entries = (r.json or {}).get("entries", [])
    seqs = [e.get("seq") for e in entries]
    check("audit entries are in seq order", seqs == sorted(seqs) and len(set(seqs)) == len(seqs), str(seqs[:20]))
    actions = {e.get("action") for e in entries}
    for action in ("grids.list", "grids.import", "devices.list", "conflicts.list", "conflicts.show", "conflicts.resolve",
                   "status.show", "tokens.create", "tokens.revoke", "devices.enroll", "devices.revoke", "device.enroll",
                   "photos.show", "photos.get", "devices.failing", "devices.show", "households.show", "households.reveal", "households.erase", "households.erasures"):
        check(f"audit records {action}", action in actions, str(sorted(a for a in actions if a)))
    check("audit records a refused resolution with its error code",
          any(e.get("action") == "conflicts.resolve" and e.get("outcome") == "conflict_changed" for e in entries))
    check("audit records the refused device registration (422, grid not in hierarchy)",
          any(e.get("action") == "devices.enroll" and e.get("outcome") == "unprocessable" for e in entries),
          str([(e.get("action"), e.get("outcome")) for e in entries if e.get("action") == "devices.enroll"]))
    resolve_outcomes = [e.get("outcome") for e in entries if e.get("action") == "conflicts.resolve"]
    check("audit records every refused resolution answered 422 (unknown side, undecided, invalid set value, not in conflict)",
          resolve_outcomes.count("unprocessable") == 4, str(resolve_outcomes))
    check("audit records the refused resolution answered 400 (keep and delete together)",
          "invalid_request" in resolve_outcomes, str(resolve_outcomes))
    if len(entries) >= 3:
        pivot = entries[len(entries) // 2]
        r = call("audit since", "GET", "/v1/admin/audit", token=viewer, query={"since": pivot["at"]})
        expect("audit with since is 200", r, 200)
        page = (r.json or {}).get("entries", [])
        check("since is inclusive (at >= since) and keeps the pivot entry",
              any(e.get("seq") == pivot["seq"] for e in page) and all(e.get("at", "") >= pivot["at"] for e in page), r.short()[:300])
    r = call("audit limit", "GET", "/v1/admin/audit", token=viewer, query={"limit": "2"})
    check("limit caps the page", r.status == 200 and len((r.json or {}).get("entries", [])) == 2, r.short()[:300])
    r = call("audit big limit", "GET", "/v1/admin/audit", token=viewer, query={"limit": "50000"})
    expect("a limit above 10000 is capped, not refused", r, 200)
    r = call("audit bad since", "GET", "/v1/admin/audit", token=viewer, query={"since": "yesterday"})
    expect("a since that is not RFC 3339 is 400 field since", r, 400, "invalid_request", field="since")
    r = call("audit as device", "GET", "/v1/admin/audit", token=tB)
    expect("a device token on the audit log is 403", r, 403, "forbidden")
    r = call("audit after reads", "GET", "/v1/admin/audit", token=viewer, query={"limit": "10000"})
    last = ((r.json or {}).get("entries") or [{}])[-1]
    check("reading the audit log is itself audited", any(e.get("action") == "audit.list" for e in (r.json or {}).get("entries", [])), str(last))

    # ---- coverage: every operation of the spec was exercised, and succeeded at least once
    for template, item in c.spec.doc["paths"].items():
        for method in ("get", "put", "post", "delete", "patch"):
            if method in item:
                statuses = c.seen.get((method, template), set())
                check(f"coverage: {method.upper()} {template} exercised with a 2xx",
                      any(200 <= st < 300 for st in statuses), f"statuses seen: {sorted(statuses)}")


def main() -> int:
    arguments = sys.argv[1:]
    # `--postgres URL` runs the server on that (empty) PostgreSQL database instead of SQLite.
    postgres = None
    if "--postgres" in arguments:
        at = arguments.index("--postgres")
        postgres = arguments[at + 1] if at + 1 < len(arguments) else None
        del arguments[at:at + 2]
    if not arguments or ("--postgres" in sys.argv and not postgres):
        print("usage: check.py <gridsync-server binary> [openapi.yaml] [--postgres URL]", file=sys.stderr)
        return 2
    binary = arguments[0]
    spec_path = Path(arguments[1]) if len(arguments) > 1 else HERE.parent / "openapi.yaml"
    spec = Spec(spec_path)
    process = None
    with tempfile.TemporaryDirectory(prefix="gridsync-conformance-") as tmp:
        try:
            try:
                process, port, admin, log_path = start_server(binary, Path(tmp), postgres)
            except (OSError, RuntimeError) as error:
                check("server starts and writes its port file", False, str(error))
            else:
                check("server starts and writes its port file", True)
                try:
                    run(Client(spec, port), admin)
                    if postgres is None:
                        restore(binary, Path(tmp), Client(spec, port), admin)
                except Exception as error:  # a scenario crash is a failure, not a traceback
                    import traceback
                    traceback.print_exc()
                    check("scenario ran to the end", False, repr(error))
        finally:
            if process is not None:
                stop_server(process)
    print(f"{PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
