#!/usr/bin/env bash
# Proxy benchmark, gateway vs nginx side by side in one run, loopback only.
#   upstream: nginx (small JSON at once | the same after echo_sleep 0.2 | an 8 MB static file)
#   targets : nginx reverse proxy injecting a fixed bearer  vs  agc-gateway /proxy (seeded connection, -Xmx256m)
# Scenarios: (a) CPU-bound, wrk -c64 on the instant answer
#            (b) latency-bound, upstream sleeps 200 ms, wrk -c512 and -c2048
#            (c) stalled readers: 270 clients ask for the big answer and read nothing (bench/stall.py) while wrk
#                measures the small endpoint; a side poller times a non-proxy endpoint (gateway: GET /integrations)
# Per target and scenario one line: req/s, gateway/nginx ratio, p50, p99, errors (non-2xx/3xx + socket errors),
# CPU µs per call (/proc utime+stime delta / requests), gateway heap used after. Also written to
# bench/results/proxy-YYYYMMDD-HHMM.txt. Needs: apt-get install -y nginx libnginx-mod-http-echo wrk; JDK 17; python3.
# Usage: bench/proxy.sh   (knobs below; any GATEWAY_* env var is passed to the gateway; see bench/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."

KNOBS="WARMUP WARM_ROUND DUR UP_PORT NGX_PORT GW_PORT CPU_CONNS LAT_CONNS LAT_SLEEP LAT_THREADS STALL_CLIENTS STALL_CONNS
STALL_HOLD BIG_MB POLL_PATH NGX_SEND_TIMEOUT ECHO_MODULE WRK_TIMEOUT SCENARIOS PROFILE HOLD HOLD_SECS KEEP_TMP GW_JAVA_OPTS"
CMD=""  # the exact command, as the caller could retype it
for k in $KNOBS $(compgen -e | grep '^GATEWAY_' || true); do
  [ -n "${!k+x}" ] && CMD+="$k=$(printf %q "${!k}") "
done
CMD+="bench/proxy.sh"; for a in "$@"; do CMD+=" $(printf %q "$a")"; done

WARMUP=${WARMUP:-80}          # seconds of gateway warm-up in total (not measured), in rounds of WARM_ROUND seconds
WARM_ROUND=${WARM_ROUND:-20}
DUR=${DUR:-20s}               # wrk duration per measurement
UP_PORT=${UP_PORT:-18081}; NGX_PORT=${NGX_PORT:-18082}; GW_PORT=${GW_PORT:-18083}
CPU_CONNS=${CPU_CONNS:-64}
LAT_CONNS=${LAT_CONNS:-512 2048}
LAT_SLEEP=${LAT_SLEEP:-0.2}   # upstream delay in seconds for (b)
LAT_THREADS=${LAT_THREADS:-4} # wrk threads for (b); (a) and (c) use 2 (2 cores: wrk must not starve the targets)
STALL_CLIENTS=${STALL_CLIENTS:-270}
STALL_CONNS=${STALL_CONNS:-64}   # wrk connections measured during the stall
BIG_MB=${BIG_MB:-8}
POLL_PATH=${POLL_PATH:-/integrations}
NGX_SEND_TIMEOUT=${NGX_SEND_TIMEOUT:-60s}  # nginx's default; it drops a client that reads nothing for this long
WRK_TIMEOUT=${WRK_TIMEOUT:-10s}
SCENARIOS=${SCENARIOS:-a b c}
# the gateway's JVM flags after -Xmx256m -Xms256m: by default the ones it ships with (README run command, image
# entrypoint; ShippedJvmFlagsTest keeps the three equal). GW_JAVA_OPTS="" runs the JVM's defaults (G1).
GW_JAVA_OPTS=${GW_JAVA_OPTS-"-XX:+UseParallelGC -XX:NewRatio=1"}

die() { echo "proxy.sh: $*" >&2; [ -n "${OUT:-}" ] && echo "FAILED: $*" >> "$OUT"; exit 1; }
secs() { # 20s / 2m / 20 -> seconds
  case "$1" in *s) echo "${1%s}";; *m) echo $(( ${1%m} * 60 ));; *h) echo $(( ${1%h} * 3600 ));; *) echo "$1";; esac
}
DUR_S=$(secs "$DUR"); [[ "$DUR_S" =~ ^[0-9]+$ ]] && [ "$DUR_S" -gt 0 ] || die "DUR=$DUR: use e.g. 20s"
[[ "$WARMUP" =~ ^[0-9]+$ ]] && [[ "$WARM_ROUND" =~ ^[0-9]+$ ]] && [ "$WARM_ROUND" -gt 0 ] || die "WARMUP/WARM_ROUND: seconds"
STALL_HOLD=${STALL_HOLD:-$(( DUR_S + 15 ))}

# ---- prerequisites ----
for c in nginx wrk java jcmd jstat curl python3 timeout; do
  command -v "$c" > /dev/null || die "$c not found (apt-get install -y nginx libnginx-mod-http-echo wrk; a JDK 17; python3)"
done
if [ -z "${ECHO_MODULE:-}" ]; then
  for m in /usr/lib/nginx/modules/ngx_http_echo_module.so /usr/share/nginx/modules/ngx_http_echo_module.so \
           /usr/lib64/nginx/modules/ngx_http_echo_module.so; do
    [ -f "$m" ] && { ECHO_MODULE=$m; break; }
  done
fi
[ -f "${ECHO_MODULE:-}" ] || die "nginx echo module not found (apt-get install -y libnginx-mod-http-echo, or ECHO_MODULE=/path/ngx_http_echo_module.so)"
for p in "$UP_PORT" "$NGX_PORT" "$GW_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2> /dev/null; then die "port $p is in use (another run?); set UP_PORT/NGX_PORT/GW_PORT"; fi
done
NEED_FD=$(( 2 * ${LAT_CONNS##* } + STALL_CLIENTS + 1024 ))
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$NEED_FD" ] || die "ulimit -n is $(ulimit -n), need $NEED_FD (raise the hard limit)"
[ -f target/agc-gateway.jar ] || mvn -q -B -DskipTests package

W=$(mktemp -d /tmp/agc-bench.XXXXXX)
KEY=$(cat /proc/sys/kernel/random/uuid)
PIDS=()   # everything started in the background, killed by cleanup
mine() { # a live child of ours? (a PID of a job that ended long ago may belong to someone else by now)
  [ "$(sed 's/^.*) //' "/proc/$1/stat" 2> /dev/null | awk '$1 != "Z" {print $2}')" = "$$" ]
}
cleanup() {
  local p alive
  for p in "${PIDS[@]}"; do mine "$p" && kill "$p" 2> /dev/null; done
  for _ in $(seq 1 20); do
    alive=0; for p in "${PIDS[@]}"; do mine "$p" && alive=1; done
    [ "$alive" = 0 ] && break; sleep 0.5
  done
  for p in "${PIDS[@]}"; do
    if mine "$p"; then
      echo "cleanup: $(cat "/proc/$p/comm" 2> /dev/null) (pid $p) still running 10 s after TERM: killed" >&2
      disown "$p" 2> /dev/null || true; kill -9 "$p" 2> /dev/null || true
    fi
  done
  wait 2> /dev/null || true
  [ "${KEEP_TMP:-0}" = 1 ] || rm -rf "$W"
}
trap cleanup EXIT
# long waits run in the background + wait, so that INT/TERM reach the trap at once (bash defers traps until a
# foreground command ends)
bg_wait() { "$@" & local p=$!; PIDS+=("$p"); wait "$p"; }
trap '[ -n "${OUT:-}" ] && echo "INTERRUPTED" >> "$OUT"; exit 130' INT TERM
trap 'echo "proxy.sh: failed at line $LINENO: $BASH_COMMAND" | tee -a "${OUT:-/dev/null}" >&2' ERR

mkdir -p bench/results
OUT=bench/results/proxy-$(date +%Y%m%d-%H%M).txt
[ -e "$OUT" ] && OUT=bench/results/proxy-$(date +%Y%m%d-%H%M%S).txt
log() { echo "$*" | tee -a "$OUT"; }
: > "$OUT"
log "command: $CMD"

# ---- nginx: upstream and reverse proxy, two instances so that each one's CPU can be read apart ----
mkdir -p "$W/up/logs" "$W/ngx/logs" "$W/www"
head -c $(( BIG_MB * 1024 * 1024 )) /dev/zero | tr '\0' 'x' > "$W/www/big.bin"
chmod 755 "$W" "$W/www"; chmod 644 "$W/www/big.bin"   # nginx workers run as nobody when started by root
WORKER_CONNS=$(( 4 * ${LAT_CONNS##* } + 2 * STALL_CLIENTS + 1024 ))
common_conf() { cat <<NGX
load_module $ECHO_MODULE;
worker_processes 2;
worker_rlimit_nofile $(( 2 * WORKER_CONNS ));
error_log $1/logs/error.log warn;
pid $1/nginx.pid;
events { worker_connections $WORKER_CONNS; }
NGX
}
{ common_conf "$W/up"; cat <<NGX
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $W/up/tmp;
  server {                       # the provider stand-in
    listen 127.0.0.1:$UP_PORT backlog=4096;
    client_max_body_size 0;
    default_type application/json;
    location / { return 200 '{"issues":[{"id":"10001","key":"AGC-1","fields":{"summary":"bench"}}],"total":1}'; }
    location /slow/ { echo_sleep $LAT_SLEEP; echo '{"issues":[{"id":"10001","key":"AGC-1","fields":{"summary":"bench"}}],"total":1}'; }
    location /big/ { default_type application/octet-stream; root $W/www; rewrite ^ /big.bin break; }
  }
}
NGX
} > "$W/up/nginx.conf"
{ common_conf "$W/ngx"; cat <<NGX
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $W/ngx/tmp;
  proxy_temp_path $W/ngx/tmp-proxy;
  upstream api { server 127.0.0.1:$UP_PORT; keepalive 128; }
  server {                       # the practical limit: a reverse proxy that only injects a fixed bearer header
    listen 127.0.0.1:$NGX_PORT backlog=4096;
    send_timeout $NGX_SEND_TIMEOUT;
    location = /health { return 200 'ok'; }   # the non-proxy endpoint polled in (c)
    location /proxy/ {
      proxy_pass http://api/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "Bearer bench-token";
      proxy_max_temp_file_size 0;   # stream big answers (memory buffers only), as the gateway does; no GBs on disk
    }
  }
}
NGX
} > "$W/ngx/nginx.conf"
for n in up ngx; do
  nginx -t -q -p "$W/$n" -c "$W/$n/nginx.conf" 2> "$W/$n/t.err" || { cat "$W/$n/t.err"; die "nginx config ($n) rejected"; }
done
nginx -p "$W/up" -c "$W/up/nginx.conf" -g 'daemon off;' & UP_PID=$!; PIDS+=("$UP_PID")
nginx -p "$W/ngx" -c "$W/ngx/nginx.conf" -g 'daemon off;' & NGX_PID=$!; PIDS+=("$NGX_PID")

# ---- the gateway: shaded jar + bench/Seed.java (one integration "bench", one connection "c1") ----
cat > "$W/providers.yaml" <<YML
bench-upstream:
    display_name: Bench upstream
    auth_mode: OAUTH2
    authorization_url: http://127.0.0.1:$UP_PORT/authorize
    token_url: http://127.0.0.1:$UP_PORT/oauth/token
    proxy:
        base_url: http://127.0.0.1:$UP_PORT
YML
# caller's GATEWAY_* vars are inherited; only these are fixed by the bench
GATEWAY_PORT=$GW_PORT GATEWAY_HOST=127.0.0.1 GATEWAY_DATA_DIR=$W/data GATEWAY_SECRET_KEY=$KEY GATEWAY_SANDBOX=false \
GATEWAY_PROVIDERS=$W/providers.yaml GATEWAY_PUBLIC_URL=http://127.0.0.1:$GW_PORT \
  java -Xmx256m -Xms256m $GW_JAVA_OPTS -cp target/agc-gateway.jar bench/Seed.java > "$W/gateway.log" 2>&1 &
GW_PID=$!; PIDS+=("$GW_PID")
for _ in $(seq 1 120); do
  grep -q READY "$W/gateway.log" && break
  kill -0 "$GW_PID" 2> /dev/null || break
  sleep 1
done
grep -q READY "$W/gateway.log" || { tail -30 "$W/gateway.log"; die "gateway did not start (log above)"; }
for _ in 1 2 3 4 5; do curl -fs -m 2 -o /dev/null "http://127.0.0.1:$UP_PORT/" && curl -fs -m 2 -o /dev/null "http://127.0.0.1:$NGX_PORT/health" && break; sleep 1; done

P_SMALL="/proxy/ex/jira/cloud-1/rest/api/3/search?maxResults=10"
P_SLOW="/proxy/slow/rest/api/3/search?maxResults=10"
P_BIG="/proxy/big/rest/api/3/attachment/content/10001"
NGX_BASE="http://127.0.0.1:$NGX_PORT"; GW_BASE="http://127.0.0.1:$GW_PORT"
GW_HDRS=("Authorization: Bearer $KEY" "Provider-Config-Key: bench" "Connection-Id: c1")
GW_H=(); for x in "${GW_HDRS[@]}"; do GW_H+=(-H "$x"); done
for p in "$P_SMALL" "$P_SLOW" "$P_BIG"; do
  for t in ngx gw; do
    if [ $t = ngx ]; then url=$NGX_BASE$p; h=(); else url=$GW_BASE$p; h=("${GW_H[@]}"); fi
    code=$(curl -sS -m 20 -o "$W/probe" -w '%{http_code}' "${h[@]}" "$url" || echo 000)
    [ "$code" = 200 ] || { head -c 600 "$W/probe" 2> /dev/null; echo; die "$t $p answered $code, not 200"; }
  done
done
[ "$(stat -c %s "$W/probe")" = $(( BIG_MB * 1024 * 1024 )) ] || die "the big answer through the gateway is $(stat -c %s "$W/probe") bytes"
code=$(curl -sS -m 5 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$GW_BASE$POLL_PATH" || echo 000)
[ "$code" = 200 ] || die "gateway $POLL_PATH answered $code"

if [ "${HOLD:-0}" = 1 ]; then  # leave everything running for manual probing (Ctrl-C ends it)
  echo "HOLD: gateway pid $GW_PID $GW_BASE key $KEY; nginx proxy $NGX_BASE; upstream :$UP_PORT; dir $W"
  rm -f "$OUT"; OUT=""; bg_wait sleep "${HOLD_SECS:-300}"; exit 0
fi

# ---- header ----
log "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(nproc) cores, $(free -m | awk '/Mem:/{print $2}') MB, load at start $(cut -d' ' -f1-3 /proc/loadavg)"
log "gateway: $(git rev-parse --short HEAD 2> /dev/null)$(git diff --quiet 2> /dev/null || echo '+dirty') ($(git rev-parse --abbrev-ref HEAD 2> /dev/null)), jar $(date -r target/agc-gateway.jar +%Y-%m-%dT%H:%M), $(java -version 2>&1 | head -1), -Xmx256m -Xms256m ${GW_JAVA_OPTS:-(no other flag: JVM defaults, G1)}"
GW_ENV=$(env | grep '^GATEWAY_' | cut -d= -f1 | grep -vx -e GATEWAY_PORT -e GATEWAY_HOST -e GATEWAY_DATA_DIR -e GATEWAY_SECRET_KEY \
  -e GATEWAY_SANDBOX -e GATEWAY_PROVIDERS -e GATEWAY_PUBLIC_URL | while read -r k; do
  case "$k" in *KEY*|*SECRET*|*PASSWORD*|*TOKEN*) echo "$k=***";; *) echo "$k=${!k}";; esac; done | tr '\n' ' ' || true)
log "gateway settings from the caller: ${GW_ENV:-none}"
log "nginx: $(nginx -v 2>&1 | sed 's/.*: //'), 2 workers per instance, send_timeout $NGX_SEND_TIMEOUT; wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}') --timeout $WRK_TIMEOUT, -d$DUR"
log "gateway warm-up: ${WARMUP}s in rounds of ${WARM_ROUND}s of wrk -c$CPU_CONNS on the small answer (not measured)"

# ---- measuring helpers ----
TCK=$(getconf CLK_TCK)
cpu_ticks() { # pid... -> utime+stime of these processes (nginx: master + workers)
  local t=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    t=$(( t + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}') ))
  done
  echo "$t"
}
target_pids() { if [ "$1" = nginx ]; then echo "$NGX_PID $(pgrep -P "$NGX_PID" | tr '\n' ' ')"; else echo "$GW_PID"; fi; }
heap_used() { # MB used in the gateway's heap right now
  # jstat -gc: S0U S1U EU OU (KB) are columns 3 4 6 8 with every collector (GC.heap_info's layout differs per collector)
  timeout 15 jstat -gc "$GW_PID" 2> /dev/null | awk 'NR == 2 { printf "%dMB", ($3 + $4 + $6 + $8) / 1024 }' || true
}
wrk_parse() { # wrk output file -> "rps p50ms p99ms errors requests"
  awk 'function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /m$/) return v*60000;
                        if (v ~ /s$/) return v*1000; return v+0 }
       /Requests\/sec/ {rps=$2} $1=="50%" {p50=ms($2)} $1=="99%" {p99=ms($2)} / requests in / {req=$1}
       /Non-2xx/ {non=$NF} /Socket errors/ {gsub(",", ""); sock=$4+$6+$8+$10}
       END { if (rps == "") exit 1; printf "%s %.2f %.2f %d %d\n", rps, p50, p99, non+sock, req }' "$1"
}
declare -A RPS
# measure SCENARIO TARGET CONNS THREADS URL -- one wrk run; its result line goes to LINE and, unless QUIET=1, out
QUIET=0; LINE=""
measure() {
  local sc=$1 tg=$2 c=$3 th=$4 url=$5 pids before after res rps p50 p99 err req cpu ratio="" heap="-"
  local h=()
  if [ "$tg" = gateway ]; then h=("${GW_H[@]}"); fi
  pids=$(target_pids "$tg"); before=$(cpu_ticks $pids)
  if ! bg_wait timeout -k 5 $(( DUR_S + 40 )) wrk -t"$th" -c"$c" -d"$DUR" --timeout "$WRK_TIMEOUT" --latency "${h[@]}" "$url" > "$W/wrk.out" 2>&1 \
     || ! res=$(wrk_parse "$W/wrk.out"); then
    LINE=$(printf "%-26s %-8s %6s  wrk failed or timed out: %s" "$sc" "$tg" "$c" "$(tail -2 "$W/wrk.out" | tr '\n' ' ')")
    [ "$QUIET" = 1 ] || log "$LINE"
    return 0
  fi
  after=$(cpu_ticks $pids)
  read -r rps p50 p99 err req <<< "$res"
  cpu=$(awk -v d=$(( after - before )) -v t="$TCK" -v r="$req" 'BEGIN { if (r > 0) printf "%.0f", d * 1e6 / t / r; else print "-" }')
  RPS[$sc/$tg]=$rps
  if [ "$tg" = gateway ]; then
    ratio=$(awk -v g="$rps" -v n="${RPS[$sc/nginx]:-0}" 'BEGIN { if (n > 0) printf "%.1f%%", 100 * g / n; else print "-" }')
    heap=$(heap_used); heap=${heap:-n/a}
  fi
  LINE=$(printf "%-26s %-8s %6s %10s %7s %10s %10s %8s %10s %8s" "$sc" "$tg" "$c" "$rps" "${ratio:--}" "$p50" "$p99" "$err" "$cpu" "$heap")
  [ "$QUIET" = 1 ] || log "$LINE"
}

# ---- warm-up (gateway only; nginx needs none) ----
left=$WARMUP; WARM_RPS=""
while [ "$left" -gt 0 ]; do
  r=$(( left < WARM_ROUND ? left : WARM_ROUND ))
  bg_wait timeout -k 5 $(( r + 40 )) wrk -t2 -c"$CPU_CONNS" -d"${r}s" --timeout "$WRK_TIMEOUT" "${GW_H[@]}" "$GW_BASE$P_SMALL" > "$W/warm.out" 2>&1 || true
  WARM_RPS+="$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$W/warm.out" || true) "
  echo "  warm-up round ${r}s: $(awk '/Requests\/sec/ {print $2 " req/s"}' "$W/warm.out" || true)" >&2
  left=$(( left - r ))
done
[ -n "$WARM_RPS" ] && log "gateway warm-up rounds, req/s: $WARM_RPS"
printf -v HDR "%-26s %-8s %6s %10s %7s %10s %10s %8s %10s %8s" scenario target conns req/s gw/ngx p50_ms p99_ms errors cpu_us/call heap
log ""
log "$HDR"

PROFILE_TXT=""
for s in $SCENARIOS; do
  case "$s" in
  a)
    [ "${PROFILE:-0}" = 1 ] && timeout 15 jcmd "$GW_PID" JFR.start name=bench settings=profile > /dev/null 2>&1
    for t in nginx gateway; do
      base=$NGX_BASE; [ $t = gateway ] && base=$GW_BASE
      measure "a cpu-bound" $t "$CPU_CONNS" 2 "$base$P_SMALL"
    done
    if [ "${PROFILE:-0}" = 1 ] && timeout 30 jcmd "$GW_PID" JFR.dump name=bench filename="$W/gw.jfr" > /dev/null 2>&1; then
      PROFILE_TXT=$(jfr print --events jdk.ExecutionSample "$W/gw.jfr" | awk '/stackTrace = \[/{getline; print $1}' \
        | sort | uniq -c | sort -rn | head -15)
    fi
    ;;
  b)
    for c in $LAT_CONNS; do
      th=$LAT_THREADS; [ "$th" -gt "$c" ] && th=$c
      for t in nginx gateway; do
        base=$NGX_BASE; [ $t = gateway ] && base=$GW_BASE
        measure "b latency ${LAT_SLEEP}s c$c" $t "$c" "$th" "$base$P_SLOW"
      done
    done
    ;;
  c)
    for t in nginx gateway; do
      if [ $t = nginx ]; then base=$NGX_BASE; pname=/health; poll=(-m 5 "$NGX_BASE/health"); hh=()
      else base=$GW_BASE; pname=$POLL_PATH; poll=(-m 5 -H "Authorization: Bearer $KEY" "$GW_BASE$POLL_PATH"); hh=("${GW_HDRS[@]}"); fi
      # the stalled readers: hold for STALL_HOLD s; the script waits for "SENT" at most 40 s
      timeout -k 5 $(( STALL_HOLD + 40 )) python3 -u bench/stall.py 127.0.0.1 "${base##*:}" "$P_BIG" "$STALL_CLIENTS" "$STALL_HOLD" \
        "${hh[@]}" > "$W/stall.out" 2>&1 &
      STALL_PID=$!; PIDS+=("$STALL_PID")
      for _ in $(seq 1 80); do grep -q '^SENT' "$W/stall.out" && break; kill -0 "$STALL_PID" 2> /dev/null || break; sleep 0.5; done
      sleep 2   # let the big answers fill the socket buffers
      # the poller: one call every 0.2 s, each at most 5 s, until told to stop
      rm -f "$W/poll.stop"; : > "$W/poll.out"
      ( while [ ! -e "$W/poll.stop" ]; do
          curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "${poll[@]}" >> "$W/poll.out" 2> /dev/null || true
          sleep 0.2
        done ) &
      POLL_PID=$!; PIDS+=("$POLL_PID")
      QUIET=1; measure "c stall ${STALL_CLIENTS}x${BIG_MB}MB" $t "$STALL_CONNS" 2 "$base$P_SMALL"; QUIET=0
      touch "$W/poll.stop"
      for _ in $(seq 1 20); do kill -0 "$POLL_PID" 2> /dev/null || break; sleep 0.5; done
      kill "$POLL_PID" 2> /dev/null || true
      wait "$STALL_PID" 2> /dev/null || true   # ends at STALL_HOLD (timeout-bounded)
      pl=$(awk -v p="$pname" '{ n++; if ($1 != 200) f++; if ($2 > m) m = $2 }
                               END { printf "poll %s max=%.3fs fail=%d/%d", p, m, f, n }' "$W/poll.out")
      st=$(grep '^RESULT' "$W/stall.out" | sed 's/^RESULT //' || true)
      [ -n "$st" ] || st="stall helper gave no result: $(tail -2 "$W/stall.out" | tr '\n' ' ')"
      log "$LINE | $pl | stalled: $st"
    done
    ;;
  *) die "unknown scenario '$s' in SCENARIOS (a b c)";;
  esac
done

log ""
log "errors = non-2xx/3xx + socket errors (connect/read/write/timeout) seen by wrk; cpu_us/call = target's CPU time"
log "(nginx: proxy master+workers) over the wrk run / requests; heap = gateway heap used right after the run (jstat -gc)."
log "Calls still unanswered when wrk stops count nowhere (wrk counts a timeout only after --timeout): 0 req/s = no answer."
log "(c): poll = worst latency and failures of a non-proxy endpoint polled every 0.2 s during the stall (gateway: $POLL_PATH"
log "with the key, nginx: /health); stalled: closed_by_server counts the stalled connections the target closed (FIN/RST)"
log "within hold_s; status = HTTP status peeked on them (none = no header received)."
log "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "$PROFILE_TXT" ]; then
  log ""; log "top JFR execution-sample frames of the gateway during (a):"; log "$PROFILE_TXT"
fi
echo "wrote $OUT"
