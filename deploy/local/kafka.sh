#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft combined mode) from Maven Central jars, no Docker.
#
#   deploy/local/kafka.sh start [NAME] [PORT]   resolve jars (cached), format storage once, start, wait until ready
#   deploy/local/kafka.sh stop  [NAME]          stop cleanly (SIGTERM, then SIGKILL after 30 s)
#   deploy/local/kafka.sh status [NAME]
#
# NAME keeps instances apart (default "dev"; `make test` uses "test"); state lives in var/kafka/NAME
# (data/, logs/server.log, pid). The controller listens on PORT+1. KAFKA_ADVERTISED_PORT (default
# PORT) is the port clients are told to connect to: the fault suite puts a TCP proxy there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cmd=${1:-status}
name=${2:-dev}
port=${3:-9092}
ctrl=$((port + 1))
base="$root/var/kafka/$name"
lib="$root/var/kafka/lib"
pidfile="$base/pid"

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "kafka: $1 is missing; install it (apt-get install -y $1) or set KAFKA_BOOTSTRAP_SERVERS" >&2
    exit 1
  fi
  echo "kafka: installing Debian's $1"
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >/dev/null
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

resolve_jars() {
  local stamp="$lib/.pom.sha256" want
  want=$(sha256sum "$here/kafka-pom.xml" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  command -v mvn >/dev/null || apt_install maven
  echo "kafka: resolving broker jars from Maven Central (cached in ~/.m2)"
  rm -rf "$lib" && mkdir -p "$lib"
  mvn -B -q -f "$here/kafka-pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib" -DincludeScope=runtime
  echo "$want" > "$stamp"
}

write_config() {
  mkdir -p "$base/data" "$base/logs"
  cat > "$base/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$ctrl
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$ctrl
advertised.listeners=PLAINTEXT://127.0.0.1:${KAFKA_ADVERTISED_PORT:-$port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$base/data
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# Commit offsets at once (default 5 ms): consumers commit after every processed batch.
group.coordinator.append.linger.ms=0
PROPS
  cat > "$base/log4j2.properties" <<PROPS
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = $base/logs/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.state.name = state.change.logger
logger.state.level = WARN
PROPS
}

start() {
  if running; then echo "kafka[$name]: already running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; return; fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "kafka[$name]: port $port is in use by another process; set KAFKA_BOOTSTRAP_SERVERS to use that broker or pick another port" >&2
    exit 1
  fi
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  resolve_jars
  write_config
  if [ ! -f "$base/data/meta.properties" ]; then
    local cluster_id
    cluster_id=$(java -cp "$lib/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    java -cp "$lib/*" -Dlog4j2.configurationFile="$base/log4j2.properties" kafka.tools.StorageTool \
      format --standalone -t "$cluster_id" -c "$base/server.properties" >"$base/logs/format.log" 2>&1
  fi
  # setsid: the broker outlives the shell that started it (make returns at once).
  setsid java -Xms256m -Xmx1g -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$base/log4j2.properties" -Dkafka.logs.dir="$base/logs" \
    -cp "$lib/*" kafka.Kafka "$base/server.properties" >"$base/logs/stdout.log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  echo "kafka[$name]: starting on 127.0.0.1:$port (logs: $base/logs/server.log)"
  "$here/wait-for.sh" kafka "127.0.0.1:$port" 90 || { echo "kafka[$name]: not ready; see $base/logs/server.log" >&2; tail -n 20 "$base/logs/server.log" >&2 || true; exit 1; }
}

stop() {
  if ! running; then echo "kafka[$name]: not running"; rm -f "$pidfile"; return; fi
  local pid; pid=$(cat "$pidfile")
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then echo "kafka[$name]: did not stop in 30 s, killing"; kill -9 "$pid"; fi
  rm -f "$pidfile"
  echo "kafka[$name]: stopped"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "kafka[$name]: running (pid $(cat "$pidfile"))"; else echo "kafka[$name]: stopped"; exit 3; fi ;;
  *) echo "usage: $0 start|stop|status [NAME] [PORT]" >&2; exit 2 ;;
esac
