#!/usr/bin/env bash
# Runs the batch job every hour with Cloud Scheduler, which calls the Flex Template launch API.
# Each run skips what earlier runs wrote (OUTPUT/_state), so an hourly schedule adds only new articles.
# The request is launch-batch.json with the template and image of deploy/image.env's TAG filled in;
# run this again after building a new TAG, so the schedule launches the new template and image together.
# Usage: PROJECT=... REGION=... BUCKET=... WORKER_SERVICE_ACCOUNT=... SCHEDULER_SERVICE_ACCOUNT=... \
#   deploy/dataflow/schedule-batch.sh
set -euo pipefail
: "${PROJECT:?}" "${REGION:?}" "${BUCKET:?}" "${WORKER_SERVICE_ACCOUNT:?}" "${SCHEDULER_SERVICE_ACCOUNT:?}"
deploy=$(cd "$(dirname "$0")/.." && pwd)
. "$deploy/image.env"
body=$(WORKER_IMAGE="$WORKER_IMAGE" TAG="$TAG" python3 "$deploy/render.py" - "$deploy/dataflow/launch-batch.json")
# A job of the same name is replaced rather than edited: `update` takes other flag names than `create`.
if gcloud scheduler jobs describe news-ingest-hourly --project="$PROJECT" --location="$REGION" >/dev/null 2>&1; then
  gcloud scheduler jobs delete news-ingest-hourly --project="$PROJECT" --location="$REGION" --quiet
fi
gcloud scheduler jobs create http news-ingest-hourly \
  --project="$PROJECT" --location="$REGION" \
  --schedule="7 * * * *" --time-zone="Etc/UTC" \
  --uri="https://dataflow.googleapis.com/v1b3/projects/${PROJECT}/locations/${REGION}/flexTemplates:launch" \
  --http-method=POST --headers="Content-Type=application/json" \
  --message-body="$body" \
  --oauth-service-account-email="$SCHEDULER_SERVICE_ACCOUNT" \
  --oauth-token-scope="https://www.googleapis.com/auth/cloud-platform"
