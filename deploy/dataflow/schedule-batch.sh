#!/usr/bin/env bash
# Runs the batch job every hour with Cloud Scheduler, which calls the Flex Template launch API.
# Each run skips what earlier runs wrote (OUTPUT/_state), so an hourly schedule adds only new articles.
# Usage: PROJECT=... REGION=... BUCKET=... SERVICE_ACCOUNT=... deploy/dataflow/schedule-batch.sh
set -euo pipefail
: "${PROJECT:?}" "${REGION:?}" "${BUCKET:?}" "${SERVICE_ACCOUNT:?}"
body=$(sed -e "s/BUCKET/${BUCKET}/g" -e "s/PROJECT/${PROJECT}/g" -e "s/REGION/${REGION}/g" \
  "$(dirname "$0")/launch-batch.json")
gcloud scheduler jobs create http news-ingest-hourly \
  --project="$PROJECT" --location="$REGION" \
  --schedule="7 * * * *" --time-zone="Etc/UTC" \
  --uri="https://dataflow.googleapis.com/v1b3/projects/${PROJECT}/locations/${REGION}/flexTemplates:launch" \
  --http-method=POST --headers="Content-Type=application/json" \
  --message-body="$body" \
  --oauth-service-account-email="$SERVICE_ACCOUNT" \
  --oauth-token-scope="https://www.googleapis.com/auth/cloud-platform"
