#!/usr/bin/env bash
# devenv.sh - run the Okta and SonarQube simulators on this machine.
#
#   ./devenv.sh up | down | status | logs [okta|sonar] | reset | env | demo | test [pytest args]
#
# Knobs (environment): OKTA_PORT (8080), SONAR_PORT (9000), DEVENV_HOME (./.devenv),
# DEVENV_FIXTURE (fixtures/default.json). See README.md.
set -euo pipefail

CALLER_PWD="$PWD"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

export PIP_DISABLE_PIP_VERSION_CHECK=1

# Exported so that the apps' own defaults (e.g. fixture URLs) agree with ours.
export OKTA_PORT="${OKTA_PORT:-8080}"
export SONAR_PORT="${SONAR_PORT:-9000}"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
STAMP="$VENV/.devenv-install-stamp"
HEALTH_TIMEOUT=20 # seconds
STOP_TIMEOUT=5    # seconds before SIGKILL
# The browser the browser tests drive (tests/browser read the same variable).
export DEVENV_CHROMIUM="${DEVENV_CHROMIUM:-/usr/bin/chromium}"
CHROMIUM="$DEVENV_CHROMIUM"

# Fixed default credentials (SPEC §2).
SONAR_ADMIN_LOGIN='admin'
SONAR_ADMIN_PASSWORD='admin'
OKTA_ADMIN_LOGIN=admin@example.com
OKTA_ADMIN_PASSWORD='Passw0rd!'
OKTA_API_TOKEN=00devenvLocalApiToken000000000000000000000

# ---------------------------------------------------------------------------
# The apps. Everything else derives from the short name:
#   package mock_<name>, console script mock-<name>, $DEVENV_HOME/<name>.sqlite3,
#   run/<name>.pid, logs/<name>.log. An app takes part only when its package and
#   console script are installed (see app_available), so adding one is a new entry here.
# ---------------------------------------------------------------------------
APPS=(okta sonar) # also the seeding order: Okta's seed makes the IdP key file Sonar's reads
# Okta's provisioning worker delivers queued SCIM pushes (fixtures/provisioned.json leaves some)
# as soon as it runs, so SonarQube starts, and answers, first. Every app of APPS is listed here.
START_ORDER=(sonar okta)

app_port() {
    case "$1" in
    sonar) echo "$SONAR_PORT" ;;
    okta) echo "$OKTA_PORT" ;;
    esac
}

# Anonymous health URL path, and a substring its 200 body must contain ("" = any).
app_health_path() {
    case "$1" in
    sonar) echo "/api/system/status" ;;
    okta) echo "/.well-known/okta-organization" ;;
    esac
}

app_health_expect() {
    case "$1" in
    sonar) echo '"UP"' ;;
    okta) echo "" ;;
    esac
}

app_pkg() { echo "mock_$1"; }
app_script() { echo "$VENV/bin/mock-$1"; }
app_url() { echo "http://localhost:$(app_port "$1")"; }
app_db() { echo "$DEVENV_HOME/$1.sqlite3"; }
app_pidfile() { echo "$DEVENV_HOME/run/$1.pid"; }
app_log() { echo "$DEVENV_HOME/logs/$1.log"; }

# app_cli APP COMMAND [ARGS]: run the app's console script on its database.
app_cli() {
    local app="$1"
    shift
    "$(app_script "$app")" --db "$(app_db "$app")" "$@"
}

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
say() { printf '%s\n' "$*"; }
warn() { printf 'devenv: %s\n' "$*" >&2; }
die() {
    printf 'devenv: %s\n' "$*" >&2
    exit 1
}

# Absolute path; a relative one is taken from the caller's directory.
abspath() {
    case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$CALLER_PWD/$1" ;;
    esac
}

DEVENV_HOME="$(abspath "${DEVENV_HOME:-$ROOT/.devenv}")"
export DEVENV_HOME

# The fixture: relative paths are tried from the caller's directory, then the repo root.
fixture_path() {
    local f="${DEVENV_FIXTURE:-fixtures/default.json}"
    case "$f" in
    /*) ;;
    *) if [[ -e "$CALLER_PWD/$f" ]]; then f="$CALLER_PWD/$f"; else f="$ROOT/$f"; fi ;;
    esac
    [[ -f "$f" ]] || die "fixture not found: $f (set DEVENV_FIXTURE)"
    printf '%s\n' "$f"
}

is_root() { [[ "$(id -u)" == 0 ]]; }

# Command line of a live (non-zombie) process, or nothing.
pid_cmdline() {
    local pid="$1"
    if [[ -r "/proc/$pid/cmdline" ]]; then
        { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null || true
    elif [[ ! -d /proc/1 ]]; then
        ps -o args= -p "$pid" 2>/dev/null || true
    fi
}

# The pid recorded for an app, printed only if that process is alive and is the app.
app_running_pid() {
    local app="$1" pidfile pid
    pidfile="$(app_pidfile "$app")"
    [[ -f "$pidfile" ]] || return 1
    pid="$(tr -dc '0-9' <"$pidfile")"
    [[ -n "$pid" ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    [[ "$(pid_cmdline "$pid")" =~ mock[-_]$app ]] || return 1
    printf '%s\n' "$pid"
}

# True while the process exists and is not a zombie. A process that is still exiting has
# already lost its command line but is not gone yet, so the state letter decides.
pid_alive() {
    kill -0 "$1" 2>/dev/null || return 1
    [[ -d /proc/self ]] || return 0 # no procfs: kill -0 is all we know
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [[ "${stat%% *}" != Z ]]
}

# Whether the app is installed in the venv (package importable and console script present).
app_available() {
    local app="$1"
    [[ -x "$PY" && -x "$(app_script "$app")" ]] || return 1
    "$PY" -I -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec(sys.argv[1]) is None)' \
        "$(app_pkg "$app")" 2>/dev/null
}

available_apps() {
    local app
    for app in "${APPS[@]}"; do
        if app_available "$app"; then printf '%s\n' "$app"; fi
    done
}

# Something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
    "$PY" -I -c '
import socket, sys
s = socket.socket()
s.settimeout(1)
try:
    sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
finally:
    s.close()
' "$1"
}

# Poll URL every 50 ms, in one process, until it answers 200 with EXPECT in its body (exit
# 0), process PID is gone (2) or TIMEOUT seconds have passed (3). One Python process per
# wait, not per poll: starting Python costs more than the poll interval.
http_wait() {
    "$PY" -I -c '
import os, sys, time, urllib.request
url, expect, pid, timeout = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3]), float(sys.argv[4])
deadline = time.monotonic() + timeout
def gone():
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(") ", 1)[1].startswith("Z")
    except FileNotFoundError:
        return True
    except OSError:  # no procfs
        return False
while True:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            if r.status == 200 and expect in r.read():
                sys.exit(0)
    except Exception:
        pass
    if gone():
        sys.exit(2)
    if time.monotonic() >= deadline:
        sys.exit(3)
    time.sleep(0.05)
' "$@"
}

# ---------------------------------------------------------------------------
# Setup: venv, project install, xmlsec1
# ---------------------------------------------------------------------------
ensure_venv() {
    if [[ ! -x "$PY" ]]; then
        command -v python3 >/dev/null || die "python3 not found: install Python 3.11 or newer"
        python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
            die "Python 3.11 or newer is needed (python3 is $(python3 -V 2>&1))"
        say "Creating .venv ..."
        python3 -m venv "$VENV" ||
            die "python3 -m venv failed (on Debian/Ubuntu: sudo apt-get install -y python3-venv)"
    fi
}

# What the install depends on: pyproject.toml and the set of top-level packages.
install_key() {
    {
        cat pyproject.toml
        ls -d */__init__.py 2>/dev/null || true
    } | "$PY" -I -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'
}

# install_current [test]: the stamp says the install matches this checkout.
# A "test" install also satisfies a plain one.
install_current() {
    local extras="${1:-}" key stamp=""
    [[ -x "$PY" && -f "$STAMP" ]] || return 1
    key="$(install_key)"
    stamp="$(cat "$STAMP")"
    [[ "$stamp" == "$key test" || (-z "$extras" && "$stamp" == "$key") ]]
}

# ensure_install [test]: pip install -e . (or '.[test]') unless it is current.
ensure_install() {
    local extras="${1:-}" key
    ensure_venv
    install_current "$extras" && return 0
    key="$(install_key)"
    local target="."
    [[ -n "$extras" ]] && target=".[$extras]"
    say "Installing the project into .venv (pip install -e '$target') ..."
    rm -f "$STAMP"
    local out
    out="$(mktemp)"
    if ! "$PY" -m pip install -q -e "$target" >"$out" 2>&1; then
        cat "$out" >&2
        rm -f "$out"
        die "pip install -e '$target' failed"
    fi
    rm -f "$out"
    if [[ -n "$extras" ]]; then echo "$key $extras" >"$STAMP"; else echo "$key" >"$STAMP"; fi
}

# ensure_xmlsec1 strict|lenient: pysaml2 shells out to xmlsec1 for signatures.
ensure_xmlsec1() {
    local mode="$1"
    command -v xmlsec1 >/dev/null && return 0
    if is_root && command -v apt-get >/dev/null; then
        say "Installing xmlsec1 (apt-get) ..."
        local out
        out="$(mktemp)"
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xmlsec1; } >"$out" 2>&1; then
            cat "$out" >&2
            rm -f "$out"
            die "apt-get install -y xmlsec1 failed"
        fi
        rm -f "$out"
        return 0
    fi
    local msg="xmlsec1 is not installed; SAML signing needs it. Install it with: sudo apt-get install -y xmlsec1"
    if [[ "$mode" == strict ]]; then die "$msg"; fi
    warn "$msg (tests that sign SAML messages will fail)"
}

# Browser tests drive Debian's chromium through Playwright (never a downloaded browser).
# Installed with apt-get where we are root; elsewhere the browser tests skip and say why.
ensure_test_browser() {
    [[ -x "$CHROMIUM" ]] && return 0
    if is_root && command -v apt-get >/dev/null; then
        say "Installing chromium for the browser tests (apt-get) ..."
        local out
        out="$(mktemp)"
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >"$out" 2>&1; then
            cat "$out" >&2
            rm -f "$out"
            die "apt-get install -y chromium failed"
        fi
        rm -f "$out"
        return 0
    fi
    warn "chromium is not installed at $CHROMIUM and cannot be installed here (not root or no apt-get): the browser tests will be skipped. Install it with: sudo apt-get install -y chromium"
}

# ---------------------------------------------------------------------------
# App lifecycle
# ---------------------------------------------------------------------------
remove_db() {
    local db
    db="$(app_db "$1")"
    rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
}

# init the DB (idempotent); seed it from the fixture only when it did not exist before.
prepare_db() {
    local app="$1" db fixture
    db="$(app_db "$app")"
    if [[ -e "$db" ]]; then
        app_cli "$app" init >/dev/null || die "$app: init failed"
        return 0
    fi
    fixture="$(fixture_path)"
    say "$app: creating $db from $fixture"
    # `seed` creates and migrates the database itself: one process, not two.
    if ! app_cli "$app" seed "$fixture" >/dev/null; then
        remove_db "$app"
        die "$app: could not create the database from $fixture"
    fi
}

check_port_free() {
    local app="$1" port
    port="$(app_port "$app")"
    if port_in_use "$port"; then
        die "$app: port $port is already in use by another process; stop it or choose another port (e.g. $(echo "$app" | tr '[:lower:]' '[:upper:]')_PORT=$((port + 1)) ./devenv.sh up)"
    fi
}

# Start the app's server on its prepared database (see prepare_db).
start_app() {
    local app="$1" port log pidfile
    port="$(app_port "$app")"
    log="$(app_log "$app")"
    pidfile="$(app_pidfile "$app")"
    check_port_free "$app"
    printf '=== %s: devenv up, port %s ===\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$port" >>"$log"
    nohup "$(app_script "$app")" --db "$(app_db "$app")" \
        serve --host 127.0.0.1 --port "$port" --base-url "$(app_url "$app")" \
        </dev/null >>"$log" 2>&1 &
    echo "$!" >"$pidfile"
    say "$app: started (pid $!)"
}

# Wait until every app answers its health URL; on failure stop what we started and exit 1.
wait_healthy() {
    local app pid url left deadline=$((SECONDS + HEALTH_TIMEOUT))
    for app in "$@"; do
        url="$(app_url "$app")$(app_health_path "$app")"
        # The pid file's pid, not app_running_pid: a process just started may not have
        # exec'd the app yet, so its command line does not name it.
        pid="$(tr -dc '0-9' <"$(app_pidfile "$app")" 2>/dev/null)" || true
        [[ -n "$pid" ]] || fail_start "$app" "has no pid file"
        left=$((deadline - SECONDS))
        case "$(http_wait "$url" "$(app_health_expect "$app")" "$pid" "$((left > 0 ? left : 0))"; echo $?)" in
        0) ;;
        2) fail_start "$app" "exited before answering $url" ;;
        *) fail_start "$app" "did not answer $url within ${HEALTH_TIMEOUT}s" ;;
        esac
    done
}

fail_start() {
    local app="$1" reason="$2" log
    log="$(app_log "$app")"
    warn "$app $reason. Its log since this start ($log):"
    awk '/^=== .* devenv up, port /{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}' "$log" |
        tail -n 40 >&2 || true
    stop_app "$app" >/dev/null || true
    exit 1
}

# Stop the process recorded in the app's pid file, if it is ours; prints what happened.
stop_app() {
    local app="$1" pidfile pid waited=0
    pidfile="$(app_pidfile "$app")"
    [[ -f "$pidfile" ]] || return 1
    if ! pid="$(app_running_pid "$app")"; then
        rm -f "$pidfile"
        say "$app: not running (removed a stale pid file)"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    while pid_alive "$pid" && ((waited < STOP_TIMEOUT * 10)); do
        sleep 0.1
        waited=$((waited + 1))
    done
    if pid_alive "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
        waited=0
        while pid_alive "$pid" && ((waited < 50)); do
            sleep 0.1
            waited=$((waited + 1))
        done
        say "$app: killed (pid $pid did not stop within ${STOP_TIMEOUT}s)"
    else
        say "$app: stopped (pid $pid)"
    fi
    rm -f "$pidfile"
}

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------
cmd_up() {
    ensure_install
    ensure_xmlsec1 strict
    mkdir -p "$DEVENV_HOME/run" "$DEVENV_HOME/logs"
    local apps app pid stopped=()
    mapfile -t apps < <(available_apps)
    [[ " ${apps[*]-} " == *" sonar "* ]] || die "mock_sonar is not installed in .venv (pip install -e . failed?)"
    for app in "${apps[@]}"; do
        if pid="$(app_running_pid "$app")"; then
            say "$app: already running (pid $pid), leaving it"
        else
            check_port_free "$app"
            stopped+=("$app")
        fi
    done
    # In APPS order: Okta's seed makes the IdP key file SonarQube's seed reads.
    for app in "${stopped[@]}"; do prepare_db "$app"; done
    for app in "${START_ORDER[@]}"; do
        if [[ " ${stopped[*]-} " == *" $app "* ]]; then
            start_app "$app"
            wait_healthy "$app"
        fi
    done
    wait_healthy "${apps[@]}"
    print_welcome "${apps[@]}"
}

print_welcome() {
    local app
    say ""
    say "Ready. State lives in $DEVENV_HOME"
    say ""
    for app in "$@"; do
        case "$app" in
        sonar)
            say "SonarQube  $(app_url sonar)"
            say "  SAML       \"Log in with SAML\" as an Okta user of the app, e.g. alice.martin@example.com / $OKTA_ADMIN_PASSWORD"
            say "  login      $SONAR_ADMIN_LOGIN / $SONAR_ADMIN_PASSWORD under \"Log in with credentials\" (the browser asks you to change it; the Web API accepts it as is)"
            say "  SCIM       $(app_url sonar)/api/scim/v2"
            ;;
        okta)
            say "Okta       $(app_url okta)"
            say "  console    $(app_url okta)/admin  ($OKTA_ADMIN_LOGIN / $OKTA_ADMIN_PASSWORD)"
            say "  API token  $OKTA_API_TOKEN (Authorization: SSWS <token>)"
            say "  end users  every fixture user has password $OKTA_ADMIN_PASSWORD"
            ;;
        esac
    done
    say ""
    say "Next steps:"
    say "  eval \"\$(./devenv.sh env)\"   export the URLs and credentials into your shell"
    say "  ./devenv.sh logs sonar      what the server printed"
    say "  ./devenv.sh status          what is running"
    say "  ./devenv.sh down            stop everything"
}

cmd_down() {
    local app any=0
    for app in "${APPS[@]}"; do
        if stop_app "$app"; then any=1; fi
    done
    if ((any == 0)); then say "not running"; fi
}

cmd_status() {
    local app pid
    for app in "${APPS[@]}"; do
        if pid="$(app_running_pid "$app")"; then
            printf '%-6s running  pid %-8s %s\n' "$app" "$pid" "$(app_url "$app")"
        elif app_available "$app"; then
            printf '%-6s stopped  %-12s %s\n' "$app" "" "$(app_url "$app")"
        elif ! install_current; then
            printf '%-6s not installed (run ./devenv.sh up)\n' "$app"
        else
            printf '%-6s not part of this checkout yet\n' "$app"
        fi
    done
}

cmd_logs() {
    (($# <= 1)) || usage_error "logs takes at most one name: okta or sonar"
    local names=() app log found=0
    if (($# == 1)); then
        case "$1" in
        okta | sonar) names=("$1") ;;
        *) usage_error "unknown log '$1' (expected okta or sonar)" ;;
        esac
    else
        names=("${APPS[@]}")
    fi
    for app in "${names[@]}"; do
        log="$(app_log "$app")"
        if [[ -f "$log" ]]; then
            if ((${#names[@]} > 1)); then
                ((found == 0)) || say ""
                say "==> $log <=="
            fi
            tail -n 200 "$log"
            found=1
        elif (($# == 1)); then
            say "no log yet for $app ($log)"
        fi
    done
    if ((found == 0 && $# == 0)); then say "no logs yet in $DEVENV_HOME/logs"; fi
}

cmd_reset() {
    fixture_path >/dev/null
    cmd_down
    ensure_install
    mkdir -p "$DEVENV_HOME/run" "$DEVENV_HOME/logs"
    local apps app
    mapfile -t apps < <(available_apps)
    for app in "${APPS[@]}"; do remove_db "$app"; done
    for app in "${apps[@]}"; do prepare_db "$app"; done
    say "State reset from $(fixture_path). Run ./devenv.sh up to start."
}

cmd_env() {
    local sonar_url okta_url
    sonar_url="$(app_url sonar)"
    okta_url="$(app_url okta)"
    printf 'export %s=%q\n' \
        SONAR_URL "$sonar_url" \
        SONAR_ADMIN_LOGIN "$SONAR_ADMIN_LOGIN" \
        SONAR_ADMIN_PASSWORD "$SONAR_ADMIN_PASSWORD" \
        SONAR_SCIM_URL "$sonar_url/api/scim/v2" \
        OKTA_ORG_URL "$okta_url" \
        OKTA_API_TOKEN "$OKTA_API_TOKEN" \
        DEVENV_HOME "$DEVENV_HOME"
}

cmd_demo() {
    ensure_install
    eval "$(cmd_env)"
    exec "$PY" -m okta_sonar_devenv.demo "$@"
}

cmd_test() {
    ensure_install test
    ensure_xmlsec1 lenient
    ensure_test_browser
    # The suite starts many Python processes (a worker per core, the apps `up` serves, the
    # plugin's own pytest runs): each should import compiled modules, not compile them again.
    # So bytecode is written here even where the environment turns it off (it goes to the
    # git-ignored __pycache__ folders), and the project's packages are compiled once, up front.
    unset PYTHONDONTWRITEBYTECODE
    # (A module that does not compile is left to pytest, which names it.)
    "$PY" -m compileall -q mock_common mock_okta mock_sonar okta_sonar_devenv >/dev/null || true
    # One pytest worker per core (pytest-xdist); `./devenv.sh test -n 0` runs in one process.
    # Work stealing: an idle worker takes tests queued for a busy one, so the few long browser
    # tests do not leave a core idle at the end.
    exec "$PY" -m pytest -n auto --dist worksteal "$@"
}

# The guide walkthrough's pictures (docs/guide.md): the browser test that clicks through the
# guide takes them; they are copied without their step numbers so the document's links hold.
cmd_screenshots() {
    ensure_install test
    ensure_xmlsec1 lenient
    ensure_test_browser
    local taken="$ROOT/test-output/browser/test_the_guide_clicked_through_in_both_uis"
    local target="$ROOT/docs/guide" shot
    "$PY" -m pytest -q -p no:cacheprovider tests/browser/test_guide.py || die "the guide's browser test failed"
    [[ -d "$taken" ]] || die "no screenshots in $taken (is chromium installed?)"
    mkdir -p "$target"
    rm -f "$target"/*.png
    for shot in "$taken"/*.png; do
        cp "$shot" "$target/$(basename "$shot" | sed -E 's/^[0-9]+-//')"
    done
    say "Screenshots of the guide in $target (see docs/guide.md)."
}

usage() {
    cat <<'EOF'
Usage: ./devenv.sh COMMAND [ARGS]

Commands:
  up                  set up on first run (.venv, install, xmlsec1), then start the apps
                      in the background, seeded, and print URLs and credentials
  down                stop what `up` started
  status              running or not, pids, URLs
  logs [okta|sonar]   print the last 200 lines of the logs
  reset               stop, wipe the databases and re-seed them from the fixture
  env                 print `export ...` lines (eval "$(./devenv.sh env)")
  demo                run the SonarQube + Okta SCIM guide against the running apps
  test [pytest args]  set up what the tests need, then run the test suite
  screenshots         retake docs/guide.md's pictures (the guide clicked through in chromium)
  help                this text

Environment: OKTA_PORT (8080), SONAR_PORT (9000), DEVENV_HOME (./.devenv),
             DEVENV_FIXTURE (fixtures/default.json)
EOF
}

usage_error() {
    warn "$1"
    usage >&2
    exit 2
}

main() {
    local cmd="${1:-help}"
    (($# == 0)) || shift
    case "$cmd" in
    up | down | status | reset | env | demo | screenshots)
        (($# == 0)) || usage_error "$cmd takes no arguments"
        "cmd_$cmd"
        ;;
    logs) cmd_logs "$@" ;;
    test) cmd_test "$@" ;;
    help | -h | --help) usage ;;
    *) usage_error "unknown command '$cmd'" ;;
    esac
}

main "$@"
