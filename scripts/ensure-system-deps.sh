#!/usr/bin/env bash
# Installs what the tests need from Debian when it is missing: Chromium and Firefox ESR for the
# browser tests, WebKitGTK's WebDriver (WebKitWebDriver and MiniBrowser) and Xvfb, its display,
# for the cross-engine tests, RabbitMQ for the broker and cluster tests, HAProxy and nginx for the
# cluster tests (each run as a plain process by demo/haproxy.mjs and demo/nginx.mjs, never as a
# service; on a machine with systemd, Debian's nginx package starts its own service on port 80:
# `systemctl disable --now nginx` if unwanted; policy-rc.d stops that in containers), Go and sockjs-go's
# sources for the second server peer of the browser tests (test/support/sockjs-go/, built
# offline from these sources). As root it installs; otherwise it says what to install.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
missing=()
[[ -x "$CHROMIUM" ]] || missing+=(chromium)
[[ -x /usr/bin/firefox-esr ]] || missing+=(firefox-esr)
[[ -x /usr/bin/WebKitWebDriver ]] || missing+=(webkit2gtk-driver)
[[ -x /usr/bin/Xvfb ]] || missing+=(xvfb)
# rabbitmq-server lives in /usr/sbin, which a non-root PATH may lack.
command -v rabbitmq-server >/dev/null 2>&1 || [[ -x /usr/sbin/rabbitmq-server ]] || missing+=(rabbitmq-server)
command -v haproxy >/dev/null 2>&1 || [[ -x /usr/sbin/haproxy ]] || missing+=(haproxy)
# nginx (Debian's smallest flavour: nginx-light only adds a module to it).
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
command -v go >/dev/null 2>&1 || missing+=(golang-go)
[[ -d /usr/share/gocode/src/github.com/igm/sockjs-go/v3/sockjs ]] || missing+=(golang-github-igm-sockjs-go-dev)

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
