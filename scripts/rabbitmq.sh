#!/usr/bin/env bash
# A RabbitMQ of its own for the broker tests: STOMP on 127.0.0.1:61613, Web-STOMP on
# ws://127.0.0.1:15674/ws, AMQP on 127.0.0.1:5672, no management. Its node name, data, logs and
# Erlang cookie live in one directory, so it never meets a system RabbitMQ.
#
#   scripts/rabbitmq.sh start [--fresh]   start (or find running) and wait until STOMP accepts connections;
#                                         --fresh wipes the data of earlier runs first
#   scripts/rabbitmq.sh stop              stop and wait until the node is gone (data kept: a restart keeps
#                                         durable queues and persistent messages)
#   scripts/rabbitmq.sh status            exit 0 when the node runs
#
# Environment: RESOCK_RABBITMQ_DIR (default /tmp/resock-rabbitmq), RESOCK_RABBITMQ_NODE
# (default resocktest@localhost), RESOCK_RABBITMQ_TIMEOUT (seconds, default 60).
set -euo pipefail

# The Debian wrappers in /usr/sbin switch to the rabbitmq user and its /var/lib/rabbitmq when run
# as root; the scripts behind them run as whoever calls them, with our directories.
BIN=/usr/lib/rabbitmq/bin
DIR=${RESOCK_RABBITMQ_DIR:-/tmp/resock-rabbitmq}
NODE=${RESOCK_RABBITMQ_NODE:-resocktest@localhost}
TIMEOUT=${RESOCK_RABBITMQ_TIMEOUT:-60}
STOMP_PORT=61613

if [[ ! -x $BIN/rabbitmq-server ]]; then
  echo "rabbitmq-server is not installed (scripts/ensure-system-deps.sh installs it)" >&2
  exit 1
fi

export HOME=$DIR # the Erlang cookie: ours, shared by the server and rabbitmqctl
export RABBITMQ_NODENAME=$NODE
export RABBITMQ_CONFIG_FILE=$DIR/rabbitmq # .conf is appended
export RABBITMQ_CONF_ENV_FILE=$DIR/rabbitmq-env.conf # instead of /etc/rabbitmq/rabbitmq-env.conf
export RABBITMQ_ENABLED_PLUGINS_FILE=$DIR/enabled_plugins
export RABBITMQ_MNESIA_BASE=$DIR/mnesia
export RABBITMQ_LOG_BASE=$DIR/log
export RABBITMQ_PID_FILE=$DIR/rabbitmq.pid
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"

ctl() { "$BIN/rabbitmqctl" -n "$NODE" "$@"; }

running() { ctl status >/dev/null 2>&1; }

# Our node's Erlang VM, found by its home (our DIR), whether or not rabbitmqctl can reach it: a
# node whose epmd died under it still holds the ports, and a new one then fails to start
# (dist_port_already_used) while the old one answers on the STOMP port.
node_pids() { pgrep -f -- "beam\.smp .*-home $DIR( |\$)" || true; }

# Ends a node rabbitmqctl cannot reach: TERM, then KILL after 10 s.
kill_unreachable() {
  local pids
  pids=$(node_pids)
  [[ -z $pids ]] && return 0
  echo "RabbitMQ $NODE: ending a node rabbitmqctl cannot reach (pid $pids)" >&2
  kill $pids 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    [[ -z $(node_pids) ]] && return 0
    sleep 0.2
  done
  kill -9 $(node_pids) 2>/dev/null || true
}

stomp_accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$STOMP_PORT") 2>/dev/null; }

prepare() {
  mkdir -p "$DIR/mnesia" "$DIR/log"
  : >"$DIR/rabbitmq-env.conf"
  cat >"$DIR/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:5672
stomp.listeners.tcp.1 = 127.0.0.1:$STOMP_PORT
web_stomp.tcp.ip = 127.0.0.1
web_stomp.tcp.port = 15674
loopback_users.guest = true
log.console = false
log.file.level = warning
EOF
  "$BIN/rabbitmq-plugins" enable --offline rabbitmq_stomp rabbitmq_web_stomp >/dev/null
}

start() {
  if [[ ${1:-} == --fresh ]]; then
    running && stop
    rm -rf "$DIR"
  fi
  if running && stomp_accepts; then
    echo "RabbitMQ $NODE already running"
    return 0
  fi
  kill_unreachable
  prepare
  # Detached from this shell (and from the test process that may have called it), output logged.
  setsid "$BIN/rabbitmq-server" >>"$DIR/log/server.out" 2>&1 </dev/null &
  local deadline=$((SECONDS + TIMEOUT))
  until stomp_accepts; do
    if ((SECONDS >= deadline)); then
      echo "RabbitMQ did not accept STOMP connections within ${TIMEOUT}s; see $DIR/log" >&2
      tail -n 20 "$DIR/log/server.out" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
  echo "RabbitMQ $NODE up: stomp 127.0.0.1:$STOMP_PORT, web-stomp ws://127.0.0.1:15674/ws"
}

stop() {
  if ! running; then
    kill_unreachable
    echo "RabbitMQ $NODE not running"
    return 0
  fi
  # With the pid file, `stop` returns once the Erlang VM has exited, ports released.
  ctl stop "$RABBITMQ_PID_FILE" >/dev/null
  echo "RabbitMQ $NODE stopped"
}

case ${1:-} in
  start) start "${2:-}" ;;
  stop) stop ;;
  status) running ;;
  *)
    echo "usage: $0 start [--fresh] | stop | status" >&2
    exit 2
    ;;
esac
