#!/usr/bin/env bash
# Capture real VRRP adverts from keepalived in a throwaway network namespace,
# to refresh the golden fixtures in agent/vrrp/golden.ts.
#
# Usage (as root): test/golden/capture-keepalived.sh [SCENARIO...]
#   scenarios: v2-noauth v2-pass v2-pass8 v3-v4 v3-v4-fast v3-v6 v3-v4-unicast (default: all)
#
# For every scenario the script prints one line per captured advert:
#   <scenario> src=<address> dst=<address> ttl=<ttl/hop limit> vrrp=<hex of the VRRP message>
# The VRRP message is cut out of the IP packet using the IP header's own
# lengths, so Ethernet padding is not included.
#
# Isolation: everything happens inside two uniquely named netns joined by a
# veth pair (vka in $NS, vkb in $NS-peer, so that unicast adverts to the peer
# leave through vka instead of the loopback); nothing is configured in the
# host namespace. Only documentation prefixes are used (192.0.2.0/24,
# 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) plus the fe80:: link-locals
# the kernel derives from the fixed MACs below. The netns, keepalived and
# tcpdump are torn down on exit, also on failure or Ctrl-C.
set -euo pipefail

readonly ALL_SCENARIOS=(v2-noauth v2-pass v2-pass8 v3-v4 v3-v4-fast v3-v6 v3-v4-unicast)
readonly PACKETS=3           # adverts captured per scenario
readonly CAPTURE_TIMEOUT=25  # seconds; keepalived waits ~3 intervals before MASTER

NS="floatip-golden-$$-$RANDOM"
PEER_NS="$NS-peer"
WORK="$(mktemp -d /tmp/floatip-golden.XXXXXX)"
KA_PID=""
TD_PID=""

cleanup() {
  local rc=$?
  # End only the processes this script started, by pid.
  if [[ -n "$TD_PID" ]] && kill -0 "$TD_PID" 2>/dev/null; then kill "$TD_PID" 2>/dev/null || true; wait "$TD_PID" 2>/dev/null || true; fi
  if [[ -n "$KA_PID" ]] && kill -0 "$KA_PID" 2>/dev/null; then kill "$KA_PID" 2>/dev/null || true; wait "$KA_PID" 2>/dev/null || true; fi
  ip netns del "$NS" 2>/dev/null || true
  ip netns del "$PEER_NS" 2>/dev/null || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in ip keepalived tcpdump timeout; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done
[[ $EUID -eq 0 ]] || { echo "must run as root" >&2; exit 1; }

nsx() { ip netns exec "$NS" "$@"; }

setup_lab() {
  local ns
  for ns in "$NS" "$PEER_NS"; do
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0
    ip -n "$ns" link set lo up
  done
  # Fixed MACs so the EUI-64 link-locals are reproducible:
  #   vka 02:00:00:00:00:01 -> fe80::ff:fe00:1,  vkb 02:00:00:00:00:02 -> fe80::ff:fe00:2
  ip -n "$NS" link add vka address 02:00:00:00:00:01 type veth peer name vkb address 02:00:00:00:00:02 netns "$PEER_NS"
  ip -n "$NS" addr add 192.0.2.1/24 dev vka
  ip -n "$NS" addr add 2001:db8::1/64 dev vka nodad
  ip -n "$PEER_NS" addr add 192.0.2.2/24 dev vkb
  ip -n "$PEER_NS" addr add 2001:db8::2/64 dev vkb nodad
  ip -n "$NS" link set vka up
  ip -n "$PEER_NS" link set vkb up
  # Wait for the kernel-assigned link-local on vka (keepalived sends IPv6 adverts from it).
  local i
  for i in $(seq 50); do
    ip -n "$NS" -6 addr show dev vka scope link | grep -q 'inet6 fe80' && return 0
    sleep 0.1
  done
  echo "no link-local address on vka" >&2
  return 1
}

# Prints the vrrp_instance body for a scenario.
instance_config() {
  case "$1" in
    v2-noauth) cat <<'EOF'
    version 2
    virtual_router_id 51
    priority 150
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/32
    }
EOF
    ;;
    v2-pass) cat <<'EOF'
    version 2
    virtual_router_id 52
    priority 120
    advert_int 2
    authentication {
        auth_type PASS
        auth_pass s3cret
    }
    virtual_ipaddress {
        192.0.2.101/32
    }
EOF
    ;;
    v2-pass8) cat <<'EOF'
    version 2
    virtual_router_id 57
    priority 254
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass floatip8
    }
    virtual_ipaddress {
        192.0.2.102/32
        192.0.2.103/32
    }
EOF
    ;;
    v3-v4) cat <<'EOF'
    version 3
    virtual_router_id 53
    priority 100
    advert_int 1
    virtual_ipaddress {
        198.51.100.10/32
    }
EOF
    ;;
    v3-v4-fast) cat <<'EOF'
    version 3
    virtual_router_id 54
    priority 200
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.110/32
        203.0.113.10/32
    }
EOF
    ;;
    v3-v6) cat <<'EOF'
    version 3
    virtual_router_id 55
    priority 100
    advert_int 1
    virtual_ipaddress {
        2001:db8::100/64
    }
EOF
    ;;
    v3-v4-unicast) cat <<'EOF'
    version 3
    virtual_router_id 56
    priority 100
    advert_int 1
    unicast_src_ip 192.0.2.1
    unicast_peer {
        192.0.2.2
    }
    virtual_ipaddress {
        192.0.2.120/32
    }
EOF
    ;;
    *) echo "unknown scenario: $1" >&2; return 1 ;;
  esac
}

write_config() {
  local scenario=$1 conf=$2
  {
    cat <<EOF
global_defs {
    router_id floatip_golden
    vrrp_garp_master_repeat 1
    vrrp_garp_master_delay 0
}
vrrp_instance golden_${scenario//-/_} {
    state MASTER
    interface vka
EOF
    instance_config "$scenario"
    echo "}"
  } >"$conf"
}

# Reads `tcpdump -r FILE -nn -v -x` output and prints one summary line per
# VRRP packet: src, dst, TTL/hop limit and the VRRP message in hex.
extract_vrrp() {
  local scenario=$1
  awk -v scen="$scenario" '
    function flush(   hex, ver, ihl, total, ttl, src, dst, plen, start, len, i, o) {
      if (buf == "") return
      hex = buf; buf = ""
      ver = substr(hex, 1, 1)
      if (ver == "4") {
        ihl = hexval(substr(hex, 2, 1)) * 4
        total = hexval(substr(hex, 5, 4))
        ttl = hexval(substr(hex, 17, 2))
        src = ""; dst = ""
        for (i = 0; i < 4; i++) {
          src = src (i ? "." : "") hexval(substr(hex, 25 + 2 * i, 2))
          dst = dst (i ? "." : "") hexval(substr(hex, 33 + 2 * i, 2))
        }
        start = ihl; len = total - ihl
      } else if (ver == "6") {
        plen = hexval(substr(hex, 9, 4))
        ttl = hexval(substr(hex, 15, 2))
        src = v6(substr(hex, 17, 32)); dst = v6(substr(hex, 49, 32))
        start = 40; len = plen
      } else return
      printf "%s src=%s dst=%s ttl=%d vrrp=%s\n", scen, src, dst, ttl, substr(hex, 2 * start + 1, 2 * len)
    }
    # Portable (mawk has no strtonum).
    function hexval(h,   v, i) {
      v = 0
      for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", tolower(substr(h, i, 1))) - 1
      return v
    }
    # Uncompressed IPv6 text (groups without leading zeros); the fixture
    # comments use the compressed form.
    function v6(h,   s, i) {
      s = ""
      for (i = 0; i < 8; i++) s = s (i ? ":" : "") sprintf("%x", hexval(substr(h, 4 * i + 1, 4)))
      return s
    }
    /^[ \t]+0x[0-9a-f]+:/ {
      line = $0
      sub(/^[ \t]+0x[0-9a-f]+:[ \t]+/, "", line)
      gsub(/[ \t]+/, "", line)
      buf = buf line
      next
    }
    /^[0-9]/ { flush() }
    END { flush() }
  '
}

capture() {
  local scenario=$1
  local conf="$WORK/$scenario.conf" pcap="$WORK/$scenario.pcap"
  write_config "$scenario" "$conf"
  rm -f "$pcap"

  # Background jobs are started with a plain `ip netns exec` (not the nsx
  # function) so that $! is the pid of the real process: ip execs timeout /
  # keepalived in place.
  ip netns exec "$NS" timeout "$CAPTURE_TIMEOUT" tcpdump -i vka -nn -U -c "$PACKETS" -w "$pcap" \
    'ip proto 112 or ip6 proto 112' 2>"$WORK/$scenario.tcpdump.log" &
  TD_PID=$!
  sleep 1 # let tcpdump attach before the first advert

  ip netns exec "$NS" keepalived -n -l -D -G -P -f "$conf" \
    -p "$WORK/$scenario.keepalived.pid" -r "$WORK/$scenario.vrrp.pid" \
    >"$WORK/$scenario.keepalived.log" 2>&1 &
  KA_PID=$!

  if ! wait "$TD_PID"; then
    echo "tcpdump failed or timed out for $scenario; keepalived log:" >&2
    cat "$WORK/$scenario.keepalived.log" >&2 || true
    TD_PID=""
    return 1
  fi
  TD_PID=""

  kill "$KA_PID" 2>/dev/null || true
  wait "$KA_PID" 2>/dev/null || true
  KA_PID=""

  tcpdump -r "$pcap" -nn -v -x 2>/dev/null | extract_vrrp "$scenario"
}

main() {
  local scenarios=("$@")
  [[ ${#scenarios[@]} -gt 0 ]] || scenarios=("${ALL_SCENARIOS[@]}")
  setup_lab
  echo "# keepalived: $(keepalived --version 2>&1 | head -n 1)"
  echo "# vka link-local: $(ip -n "$NS" -6 addr show dev vka scope link | awk '/inet6/ { print $2 }')"
  local s
  for s in "${scenarios[@]}"; do
    capture "$s"
  done
}

main "$@"
