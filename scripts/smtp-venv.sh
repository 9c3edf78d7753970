#!/usr/bin/env bash
# Makes target/smtp-venv with aiosmtpd (PyPI), the SMTP server the mail tests and scripts start
# (scripts/smtp_sink.py). Prints the venv's python. Idempotent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${SMTP_VENV:-$root/target/smtp-venv}
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'aiosmtpd>=1.4,<2'
fi
echo "$venv/bin/python"
