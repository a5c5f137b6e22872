#!/usr/bin/env bash
# Writes copies of deploy/ files with the image (deploy/image.env) and the bucket filled in, under
# OUT_DIR at the same relative paths: by default the Flink manifests (OUT_DIR/flink/).
# Usage: BUCKET=... [REGISTRY=... | PROJECT=... REGION=...] deploy/render.sh OUT_DIR [FILE...]
set -euo pipefail
deploy=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: deploy/render.sh OUT_DIR [FILE...]}
shift
. "$deploy/image.env"
export WORKER_IMAGE TEMPLATE_IMAGE TAG
if [[ $# -eq 0 ]]; then
  set -- "$deploy"/flink/*.yaml
fi
python3 "$deploy/render.py" "$out" "$@"
