#!/usr/bin/env bash
# Debian packages the browser tests, PNG export and deck rendering need: Chromium, a CJK font,
# LibreOffice Impress (PPTX -> PDF handouts) and poppler (pdftotext/pdftoppm for the render test). Idempotent.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need+=(fonts-noto-color-emoji)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-impress)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
