#!/usr/bin/env bash
# Nightly run of the churn and upsell pipelines.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m churn.ingest
python -m churn.features
python -m churn.score
psql "$WAREHOUSE_URL" -f sql/customer_snapshot.sql
for step in upsell/steps/s*.py; do python "$step"; done
python upsell/train_upsell.py
python -m reports.weekly_report
