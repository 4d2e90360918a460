#!/usr/bin/env bash
# Installs what the tests need from Debian when it is missing: Chromium for the browser tests,
# RabbitMQ for the broker tests. As root it installs; otherwise it says what to install.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
missing=()
[[ -x "$CHROMIUM" ]] || missing+=(chromium)
# rabbitmq-server lives in /usr/sbin, which a non-root PATH may lack.
command -v rabbitmq-server >/dev/null 2>&1 || [[ -x /usr/sbin/rabbitmq-server ]] || missing+=(rabbitmq-server)

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "Installing system packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
