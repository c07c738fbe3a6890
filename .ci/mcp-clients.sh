#!/usr/bin/env bash
# Clients nobody here wrote: the MCP Inspector CLI over stdio, and the MCP
# conformance suite over streamable HTTP (with a baseline of features we do not
# offer). Needs Node 20 and npm; run from the repository root with the venv active.
set -euo pipefail
# npm's tree (about 150 MB) lives in a temporary folder, removed when the script ends.
NODE_DIR=$(mktemp -d /tmp/ec-node.XXXXXX)
SERVER=""
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; fi
    rm -rf "$NODE_DIR"
}
trap cleanup EXIT
npm install --prefix "$NODE_DIR" --silent --no-audit --no-fund \
    @modelcontextprotocol/inspector@0.15.0 @modelcontextprotocol/conformance@0.1.13
PY="$(command -v python)"
INSPECT="$NODE_DIR/node_modules/.bin/mcp-inspector"

echo "-- inspector: tools/list"
"$INSPECT" --cli "$PY" -m end_conversation._cli serve --store memory: --method tools/list > /tmp/ec-inspector-list.json
grep -q '"name": "end_conversation"' /tmp/ec-inspector-list.json
grep -q '"destructiveHint": true' /tmp/ec-inspector-list.json

echo "-- inspector: tools/call (no history: attested, denied)"
"$INSPECT" --cli "$PY" -m end_conversation._cli serve --store memory: \
    --method tools/call --tool-name end_conversation \
    --tool-arg conversation_id=ci --tool-arg reason=abuse > /tmp/ec-inspector-call.json
grep -q '"basis": "attested"' /tmp/ec-inspector-call.json
grep -q '"isError": true' /tmp/ec-inspector-call.json

echo "-- conformance suite against the HTTP server"
PORT=18765
end-conversation serve --http --port "$PORT" --store memory: &
SERVER=$!
for _ in $(seq 1 100); do
    if "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null; then break; fi
    sleep 0.1
done
"$NODE_DIR/node_modules/.bin/conformance" server --url "http://127.0.0.1:$PORT/mcp" \
    --expected-failures .ci/conformance-baseline.yml
