#!/usr/bin/env bash
# Install what is needed and start the dashboard on the bundled sample corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/system-deps.sh || echo "（未能安装 Chromium/中文字体：PNG 导出将不可用，其余功能不受影响）"
exec .venv/bin/python -m streamlit run dashboard.py --server.headless true \
  --server.port "${PORT:-8501}" --browser.gatherUsageStats false
