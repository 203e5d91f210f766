#!/usr/bin/env bash
# Debian packages the tests need: Chromium for the browser tests, CJK fonts so Chinese renders,
# poppler for looking at PDFs. Installed only when missing; needs root (or sudo).
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
# The bureau report's PDF (公文) embeds AR PL UMing for its text and UKai for 楷体 lines.
[ -f /usr/share/fonts/truetype/arphic/uming.ttc ] || need+=(fonts-arphic-uming)
[ -f /usr/share/fonts/truetype/arphic/ukai.ttc ] || need+=(fonts-arphic-ukai)
command -v pdftotext >/dev/null || need+=(poppler-utils)
# LibreOffice (headless Writer) converts the bureau report .docx in tests/services/test_exports.py.
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
# A real nginx runs deploy/nginx*.conf in tests/ops/test_nginx_proxy.py (certificates by openssl);
# systemd-analyze scores the hardening of deploy/*.service in tests/ops/test_file_modes.py.
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || need+=(nginx-light)
command -v openssl >/dev/null || need+=(openssl)
command -v systemd-analyze >/dev/null || need+=(systemd)
for extra in ${EXTRA_DEBIAN_PACKAGES:-}; do need+=("$extra"); done

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "Not root and no sudo: please install ${need[*]} yourself (browser tests will skip)." >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
