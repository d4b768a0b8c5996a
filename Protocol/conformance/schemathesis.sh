#!/usr/bin/env bash
# Property-based testing of the real server against Protocol/openapi.yaml with schemathesis
# (from PyPI), once with a device token and once with an ops token, bounded in time.
# Fails on any 5xx, and on any response whose status, headers, content type or body the spec
# does not allow. Usage: schemathesis.sh <path to gridsync-server> [max examples per operation] [PostgreSQL URL]
# With a PostgreSQL URL (an empty database), the server runs on it instead of a SQLite file.
set -euo pipefail
server="$1"
examples="${2:-40}"
postgres="${3:-}"
spec="$(cd "$(dirname "$0")/.." && pwd)/openapi.yaml"
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

if [ -n "$postgres" ]; then store=(--postgres "$postgres"); else store=(--database "$work/st.sqlite"); fi
# Schemathesis pushes and pulls faster than a storm; photos must not wait it out here (a 503
# is a server error to it).
"$server" --port 0 --port-file "$work/port" "${store[@]}" --admin-token-file "$work/admin.token" --photos-yield-at 1000000 --log-level error &
pid=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port="$(cat "$work/port")"
admin="$(cat "$work/admin.token")"
base="http://127.0.0.1:$port"

call() { curl -sf -H "GridSync-Protocol: 1" -H "Content-Type: application/json" "$@"; }
call -X PUT -H "Authorization: Bearer $admin" "$base/v1/admin/grids" \
    -d '{"grids":[{"path":"futian/shatou","name":"沙头街道"}],"assignments":[]}' >/dev/null
code="$(call -X POST -H "Authorization: Bearer $admin" "$base/v1/admin/devices" \
    -d '{"worker":"schemathesis","grids":["futian/shatou/community-03/grid-12"]}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["enrollmentCode"])')"
device="$(call -X POST "$base/v1/enroll" -d "{\"enrollmentCode\":\"$code\",\"appVersion\":\"schemathesis\"}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance
status=0
# The device first: the ops pass may revoke tokens and replace the hierarchy as it explores.
for token in "$device" "$admin"; do
    echo "schemathesis: ${token:0:4} token"
    # Through python3 rather than the `schemathesis` script: where pip puts scripts varies.
    python3 -c 'import sys; from schemathesis.cli import schemathesis; sys.argv[0] = "schemathesis"; sys.exit(schemathesis())' run "$spec" --url "$base" -H "Authorization: Bearer $token" --checks "$checks" \
        --max-examples "$examples" --phases examples,coverage,fuzzing,stateful --workers 1 \
        --generation-deterministic --no-color || status=1
done
exit "$status"
