#!/usr/bin/env bash
# Speedtest throughput through Switchboard's tunnel (userspace TCP over our WireGuard, direct and via DERP) beside
# the kernel's TCP over wireguard-go between the same two network namespaces, in one run, on a clean link and on
# impaired ones. This kernel has no sch_netem, so loss and delay come from bench/impair/wire.c, a userspace wire
# between the namespaces (see its header). Needs root, the packaged jar (./mvnw -DskipTests package), and
# iproute2, iputils-ping, ethtool, iperf3, wireguard-go, wireguard-tools, curl, python3 and a C compiler.
#
#   bench/tunnel-throughput.sh [-t IPERF3_SECONDS, default 10] [-r RUNS] [CONDITION…]
#
# A CONDITION is `clean` (a plain veth pair) or `DELAY_MS/LOSS_PCT` (the wire, applied in the data direction,
# agent → client, like `tc qdisc add dev <sender> root netem delay DELAY_MS loss LOSS_PCT%`; nothing on the way
# back). Default: clean 0/0 0/1 20/1. Every figure is what the receiver got: iperf3 -R's receiver bits over
# SECONDS, with CUBIC (RFC 9438, what Switchboard's stack runs) and with BBR (many hosts' default, this VM's too:
# it does not take random loss for congestion, so it is no like-for-like reference under loss); for Switchboard one 30 s speedtest download (the agent sends) reported twice: its first 5 intervals (what
# `speedtest -t 5s` shows from a fresh client JVM, still compiling its data path) and its last 10 (warm).
set -euo pipefail

seconds=10
runs=1
while getopts "t:r:" opt; do
    case $opt in
        t) seconds=$OPTARG ;;
        r) runs=$OPTARG ;;
        *) echo "usage: $0 [-t SECONDS] [-r RUNS] [clean|DELAY_MS/LOSS_PCT]…" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
conditions=("$@")
[ ${#conditions[@]} -gt 0 ] || conditions=(clean 0/0 0/1 20/1)

here=$(cd "$(dirname "$0")/.." && pwd)
jar="$here/target/quarkus-app/quarkus-run.jar"
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ "$(id -u)" = 0 ] || { echo "$0: needs root (network namespaces, TUN devices)" >&2; exit 2; }
[ -f "$jar" ] || { echo "$0: no $jar; run ./mvnw -DskipTests package first" >&2; exit 2; }
for tool in ip ethtool iperf3 wireguard-go wg python3 cc curl ping; do
    command -v $tool >/dev/null || { echo "$0: needs $tool (apt-get install iproute2 ethtool iperf3 wireguard-go wireguard-tools python3 gcc curl iputils-ping)" >&2; exit 2; }
done

id=$$
A=sbtp$id-a   # the workspace: server, agent, wireguard-go and iperf3 server
B=sbtp$id-b   # the user: speedtest, wireguard-go and iperf3 client
M=sbtp$id-m   # the wire between them, when the link is impaired
ADDR_A=10.233.0.1
ADDR_B=10.233.0.2
WG_A=fd5b:233::1
WG_B=fd5b:233::2
PORT=3000
work=$(mktemp -d /tmp/sbtp.XXXXXX)
pids=()

cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    pkill -f "$work/wire " 2>/dev/null || true
    for _ in $(seq 30); do
        alive=0
        for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    # An agent whose SIGTERM handler waits on a coordinator that is already gone must not outlive the run.
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    ip netns pids $A 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns pids $B 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    for ns in $A $B $M; do ip netns del $ns 2>/dev/null || true; done
    echo "logs in $work" >&2
}
trap cleanup EXIT

inA() { ip netns exec $A "$@"; }
inB() { ip netns exec $B "$@"; }

offloads_off() { ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true; }

# (Re)builds the link between A and B; processes in the namespaces keep their sockets (bound to 0.0.0.0 or to the
# WireGuard addresses), so only the path under them changes.
link() {
    local cond=$1
    pkill -f "$work/wire " 2>/dev/null || true
    ip -n $A link del dev eth0 2>/dev/null || true
    ip -n $B link del dev eth0 2>/dev/null || true
    ip netns del $M 2>/dev/null || true
    if [ "$cond" = clean ]; then
        ip link add name eth0 netns $A type veth peer name eth0 netns $B
    else
        ip netns add $M
        ip -n $M link add name wire-a type veth peer name eth0 netns $A
        ip -n $M link add name wire-b type veth peer name eth0 netns $B
        ip -n $M link set dev wire-a up
        ip -n $M link set dev wire-b up
        for dev in wire-a wire-b; do offloads_off $M $dev; done
        offloads_off $A eth0
        offloads_off $B eth0
        ip netns exec $M "$work/wire" wire-a wire-b "${cond%/*}" "${cond#*/}" 0 0 20000 2>>"$work/wire.log" &
        pids+=($!)
    fi
    ip -n $A addr add $ADDR_A/24 dev eth0
    ip -n $B addr add $ADDR_B/24 dev eth0
    ip -n $A link set dev eth0 up
    ip -n $B link set dev eth0 up
    for _ in $(seq 50); do inB ping -c1 -W1 -q $ADDR_A >/dev/null 2>&1 && return; sleep 0.1; done
    echo "$0: link $cond does not pass pings" >&2; exit 1
}

# wireguard-go's UAPI socket is /var/run/wireguard/<ifname>.sock, one directory for every namespace: the two
# interfaces get different names.
wireguard_go() {
    local ns=$1 dev=$2 me=$3 peer=$4 peer_ip=$5 peer_wg=$6 my_wg=$7
    ip netns exec $ns env WG_PROCESS_FOREGROUND=1 wireguard-go -f $dev >"$work/$dev.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do [ -S /var/run/wireguard/$dev.sock ] && break; sleep 0.1; done
    ip netns exec $ns wg set $dev private-key "$work/$me.key" listen-port 51820 \
        peer "$(cat "$work/$peer.pub")" endpoint "$peer_ip:51820" allowed-ips "$peer_wg/128"
    ip -n $ns addr add "$my_wg/64" dev $dev nodad
    ip -n $ns link set dev $dev mtu 1280 up
}

# The WireGuard interfaces are up only while the kernel is measured: the agent advertises every interface address
# as an endpoint, and with the TUNs up magicsock found its direct path through wireguard-go's tunnel.
wireguard_links() {
    ip -n $A link set dev sbtp$id-a "$1"
    ip -n $B link set dev sbtp$id-b "$1"
    if [ "$1" = up ]; then # IPv6 addresses go with the link (keep_addr_on_down=0)
        ip -n $A addr replace "$WG_A/64" dev sbtp$id-a nodad
        ip -n $B addr replace "$WG_B/64" dev sbtp$id-b nodad
    fi
}

setup() {
    cc -O2 -o "$work/wire" "$here/bench/impair/wire.c"
    for ns in $A $B; do ip netns add $ns; ip -n $ns link set lo up; done
    link clean
    for side in a b; do (umask 077; wg genkey >"$work/$side.key"); wg pubkey <"$work/$side.key" >"$work/$side.pub"; done
    wireguard_go $A sbtp$id-a a b $ADDR_B $WG_B $WG_A
    wireguard_go $B sbtp$id-b b a $ADDR_A $WG_A $WG_B
    wireguard_links down
    inA iperf3 -s -D --logfile "$work/iperf3-server.log"
    export CODER_CONFIG_DIR=$work/config CODER_HTTP_ADDRESS=0.0.0.0:$PORT CODER_ACCESS_URL=http://$ADDR_A:$PORT \
        CODER_DERP_SERVER_STUN_ADDRESSES=disable CODER_URL=http://$ADDR_A:$PORT
    inA "$java" -jar "$jar" server >"$work/server.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do inA curl -fs "http://$ADDR_A:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
    agent=$(cat /proc/sys/kernel/random/uuid)
    local agent_token
    agent_token=$("$java" -jar "$jar" token create --role agent --subject "$agent")
    user_token=$("$java" -jar "$jar" token create --role user --subject "$(cat /proc/sys/kernel/random/uuid)" --agents "$agent")
    CODER_AGENT_TOKEN=$agent_token inA "$java" -jar "$jar" agent >"$work/agent.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 150); do grep -qs "coordinator connected" "$work/agent.log" && return; sleep 0.2; done
    echo "$0: the agent did not connect; see $work/agent.log" >&2; exit 1
}

mbits_iperf3() { python3 -c 'import json,sys; print("%.0f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))' 2>/dev/null; }
# "first5 last10" Mbit/s from a speedtest's JSON intervals.
mbits_speedtest() {
    python3 -c '
import json, sys
rows = [r["throughput_mbits"] for r in json.loads(sys.stdin.read().strip().splitlines()[-1])["intervals"]]
full = rows[:-1] if len(rows) > 15 else rows  # the last row is a fraction of a second
print("%.0f %.0f" % (sum(rows[:5]) / 5, sum(full[-10:]) / 10))' 2>/dev/null || echo "fail fail"
}

# kernel_tcp ADDRESS CONGESTION_CONTROL
kernel_tcp() { inB iperf3 -c "$1" -R -C "$2" -t "$seconds" -J 2>>"$work/iperf3-client.log" | mbits_iperf3 || echo fail; }
speedtest() {
    CODER_SESSION_TOKEN=$user_token inB "$java" -jar "$jar" speedtest "$agent" -t 30s -o json "$@" \
        2>>"$work/speedtest.log" | mbits_speedtest
}

ratio() { python3 -c "import sys; a, b = sys.argv[1:]; print('%.0f %%' % (100 * float(a) / float(b)) if a.isdigit() and b.isdigit() and int(b) else '—')" "$1" "$2"; }

setup
echo "iperf3 loopback (-l 1200, kernel TCP, namespace A): $(inA iperf3 -c 127.0.0.1 -l 1200 -t 3 -J | mbits_iperf3) Mbit/s"
echo
echo "| Link (data direction) | Kernel TCP, no tunnel (cubic) | Kernel TCP over wireguard-go, cubic / bbr | Switchboard direct, first 5 s / warm | Switchboard via DERP, first 5 s / warm | warm direct / kernel-wg cubic | warm DERP / kernel-wg cubic |"
echo "|---|---|---|---|---|---|---|"
for cond in "${conditions[@]}"; do
    link "$cond"
    label=$cond
    [ "$cond" = clean ] || label="wire ${cond%/*} ms, ${cond#*/} % loss"
    for _ in $(seq "$runs"); do
        raw=$(kernel_tcp $ADDR_A cubic)
        wireguard_links up
        wg=$(kernel_tcp $WG_A cubic)
        wg_bbr=$(kernel_tcp $WG_A bbr)
        wireguard_links down
        read -r direct5 direct <<<"$(speedtest -d)"
        read -r derp5 derp <<<"$(speedtest --disable-direct-connections)"
        echo "| $label | $raw | $wg / $wg_bbr | $direct5 / $direct | $derp5 / $derp | $(ratio "$direct" "$wg") | $(ratio "$derp" "$wg") |"
    done
done
