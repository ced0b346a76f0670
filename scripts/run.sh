#!/usr/bin/env bash
# Install what is needed and start the dashboard on the bundled sample corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/system-deps.sh || echo "（未能安装 Chromium/LibreOffice/中文字体：PNG 与 PDF 讲义导出将不可用，其余功能不受影响）"
upload=()
case "${POLICY_READ_ONLY:-}" in
  1|true|yes|on) upload=(--server.maxUploadSize 1) ;;  # nobody may upload: refuse bodies at the door
esac
exec .venv/bin/python -m streamlit run dashboard.py --server.headless true \
  --server.port "${PORT:-8501}" --browser.gatherUsageStats false "${upload[@]}"
