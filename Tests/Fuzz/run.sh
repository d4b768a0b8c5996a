#!/usr/bin/env bash
# Builds the libFuzzer targets (-sanitize=fuzzer,address) from the GridSyncCore sources and runs
# each for RUNS executions (default 10,000,000), seeded from the golden vectors.
# Usage: Tests/Fuzz/run.sh [runs] [target ...]   targets: json change merge
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-10000000}"; shift || true
targets=("${@:-json change merge}")
work=".build-fuzz"
mkdir -p "$work"
core=$(find Sources/GridSyncCore -name '*.swift' | sort)

# Seed corpora: every golden vector, whole; the merge target gets pairs of states.
mkdir -p "$work/corpus-json" "$work/corpus-change" "$work/corpus-merge"
python3 - "$work" <<'PY'
import json, glob, os, sys, hashlib
work = sys.argv[1]
def put(folder, data):
    with open(os.path.join(work, folder, hashlib.sha1(data).hexdigest()), "wb") as f: f.write(data)
for path in glob.glob("Protocol/vectors/*/*.json"):
    raw = open(path, "rb").read()
    put("corpus-json", raw)
    vector = json.loads(raw)
    if "change" in vector: put("corpus-change", json.dumps(vector["change"], ensure_ascii=False).encode())
    for step in vector.get("steps", []):
        if "push" in step: put("corpus-change", json.dumps(step["push"], ensure_ascii=False).encode())
    if "state" in vector and isinstance(vector["state"], dict):
        after = vector.get("expected", {}).get("state", vector["state"])
        put("corpus-merge", (json.dumps(vector["state"], ensure_ascii=False) + "\n" + json.dumps(after, ensure_ascii=False)).encode())
PY

for target in ${targets[@]}; do
    case "$target" in
        json) source=Tests/Fuzz/JSONParserFuzz.swift ;;
        change) source=Tests/Fuzz/ChangeDecodingFuzz.swift ;;
        merge) source=Tests/Fuzz/MergeFuzz.swift ;;
        *) echo "unknown target $target"; exit 64 ;;
    esac
    echo "building $target"
    swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name GridSyncFuzz $core "$source" -o "$work/fuzz-$target"
    echo "fuzzing $target for $runs executions"
    "$work/fuzz-$target" -runs="$runs" -max_len=8192 -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus-$target" 2>&1 | grep -v "ld.gold" | tail -n 40
done
