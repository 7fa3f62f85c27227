#!/bin/bash
# ecomm web-tier bootstrap (EC2 user data, Amazon Linux 2023). Rendered by userdata/render.ts.
# nginx (AL2023's package) listens on PORT: /health answers on both tiers (and the configured health path).
#   frontend: the storefront's static files from the frontend artifact (a placeholder page without one)
#   backend:  everything proxied to the app (the backend artifact, `node server.js` as the systemd unit
#             ecomm-backend, user ecomm, on 127.0.0.1:APP_PORT); without an artifact a static /api/health
# Order: what serves first (nginx, artifact, Node, the app, db-env), then logging (rsyslog, CloudWatch agent).
# No `set -e`: every step runs; a step that fails (after its retries) is logged and recorded, and later steps
# still run unless they need it. A failed required step leaves /var/lib/ecomm/boot-failed and no boot-ok:
# nginx answers the health paths 503 unless boot-ok exists, so the ALB marks the instance unhealthy and the
# ASG replaces it. A failed logging step is reported and does not touch serving. Exit 1 if any step failed.
set -uo pipefail

readonly ROLE="{{ROLE}}"
readonly PORT="{{PORT}}"
readonly HEALTH_CHECK_PATH="{{HEALTH_CHECK_PATH}}"
# Longer than the ALB's idle timeout, so the ALB always closes idle connections first (no 502s).
readonly KEEPALIVE_SECONDS="{{KEEPALIVE_SECONDS}}"
readonly CLOUDWATCH_AGENT_CONFIG="{{CLOUDWATCH_AGENT_CONFIG_PATH}}"
# Backend only (empty on the frontend): where the database's connection parameters live, and the region.
readonly DB_PARAMETER_PATH="{{DB_PARAMETER_PATH}}"
readonly REGION="{{REGION}}"
# The service's artifact (empty: none, placeholder pages): S3 object and its expected sha256.
readonly ARTIFACT_BUCKET="{{ARTIFACT_BUCKET}}"
readonly ARTIFACT_KEY="{{ARTIFACT_KEY}}"
readonly ARTIFACT_SHA256="{{ARTIFACT_HASH}}"
readonly ARTIFACT_REGION="{{ARTIFACT_REGION}}"
readonly APP_PORT="{{APP_PORT}}"
readonly RDS_CA_URL="https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
# Tests only: a directory every written path is placed under, and the retry back-off unit.
readonly ROOT="${ECOMM_BOOT_ROOT:-}"
readonly BACKOFF="${ECOMM_BOOT_BACKOFF_SECONDS:-5}"
readonly STATE=/var/lib/ecomm
readonly APP_DIR="/opt/ecomm/${ROLE}"
if [[ -n "${ARTIFACT_KEY}" && "${ROLE}" == "frontend" ]]; then WEB_ROOT="${APP_DIR}/current"; else WEB_ROOT=/usr/share/nginx/ecomm; fi
readonly WEB_ROOT

log() {
    echo "ecomm-userdata: $*" | systemd-cat -t ecomm-userdata 2>/dev/null || true
    echo "ecomm-userdata: $*"
}

# retry <attempts> <command...>: back-off attempt × BACKOFF seconds between tries.
retry() {
    local attempts="$1" attempt=1
    shift
    until "$@"; do
        if ((attempt >= attempts)); then
            return 1
        fi
        log "$1 failed (attempt ${attempt} of ${attempts}); retrying"
        sleep $((attempt * BACKOFF))
        attempt=$((attempt + 1))
    done
}

declare -A RESULT=()
FAILED_REQUIRED=()
FAILED=()

# step required|optional <name> <function> [needs...]: runs the function unless a step it needs did not succeed.
step() {
    local kind="$1" name="$2" fn="$3" need
    shift 3
    for need in "$@"; do
        if [[ "${RESULT[${need}]:-}" != ok ]]; then
            RESULT[${name}]=skipped
            log "step ${name}: SKIPPED (needs ${need}, which did not succeed)"
            [[ "${kind}" == required ]] && FAILED_REQUIRED+=("${name}")
            FAILED+=("${name}")
            return 0
        fi
    done
    log "step ${name}: start"
    if "${fn}"; then
        RESULT[${name}]=ok
        log "step ${name}: ok"
    else
        RESULT[${name}]=failed
        log "step ${name}: FAILED (${kind})"
        [[ "${kind}" == required ]] && FAILED_REQUIRED+=("${name}")
        FAILED+=("${name}")
    fi
    return 0
}

install_nginx() { retry 5 dnf install -y -q nginx; }
install_node() { retry 5 dnf install -y -q nodejs22; }
install_logging() { retry 3 dnf install -y -q amazon-cloudwatch-agent rsyslog; }

create_app_user() {
    getent passwd ecomm >/dev/null || useradd --system --user-group --home-dir /opt/ecomm --shell /sbin/nologin ecomm
}

# IMDSv2 only: a session token first, then the metadata item.
metadata() {
    local token
    token="$(curl -sf --connect-timeout 2 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token)" || return 1
    curl -sf --connect-timeout 2 -H "X-aws-ec2-metadata-token: ${token}" "http://169.254.169.254/latest/meta-data/$1"
}

# Download, check the sha256 the program expects, unpack to a directory named by it; `current` points there.
fetch_artifact_once() {
    local tmp="$1" actual
    aws s3 cp --region "${ARTIFACT_REGION}" --only-show-errors "s3://${ARTIFACT_BUCKET}/${ARTIFACT_KEY}" "${tmp}" || return 1
    actual="$(sha256sum "${tmp}" | cut -d ' ' -f 1)"
    if [[ "${actual}" != "${ARTIFACT_SHA256}" ]]; then
        log "s3://${ARTIFACT_BUCKET}/${ARTIFACT_KEY} has sha256 ${actual}, expected ${ARTIFACT_SHA256}"
        return 1
    fi
}

install_artifact() {
    local dir="${ROOT}${APP_DIR}" tmp
    # nginx's workers (user nginx) and the app (user ecomm) read it: directories 0755, files 0644, owned by root.
    mkdir -p "${dir}" && chmod 0755 "${ROOT}/opt/ecomm" "${dir}" || return 1
    if [[ ! -d "${dir}/${ARTIFACT_SHA256}" ]]; then
        tmp="$(mktemp -d "${dir}/.unpack.XXXXXX")" || return 1
        if ! { retry 5 fetch_artifact_once "${tmp}/artifact.tar.gz" \
            && mkdir "${tmp}/files" \
            && tar -xzf "${tmp}/artifact.tar.gz" -C "${tmp}/files" --no-same-owner \
            && chmod -R a+rX,go-w "${tmp}/files" \
            && mv "${tmp}/files" "${dir}/${ARTIFACT_SHA256}"; }; then
            rm -rf "${tmp}"
            return 1
        fi
        rm -rf "${tmp}"
    fi
    ln -sfn "${ARTIFACT_SHA256}" "${dir}/current"
}

# Placeholder pages, without an artifact.
write_pages() {
    local instance_id az
    instance_id="$(metadata instance-id || echo unknown)"
    az="$(metadata placement/availability-zone || echo unknown)"
    mkdir -p "${ROOT}${WEB_ROOT}" || return 1
    if [[ "${ROLE}" == "frontend" ]]; then
        cat > "${ROOT}${WEB_ROOT}/index.html" <<HTML || return 1
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>ecomm store</title></head>
<body>
  <h1>Welcome to the ecomm store</h1>
  <p>Browse our catalogue; the API lives under <a href="/api/health">/api/</a>.</p>
  <footer>Served by ${instance_id} in ${az}</footer>
</body>
</html>
HTML
    fi
    printf '{"status":"ok","service":"%s","instance":"%s","az":"%s"}\n' "${ROLE}" "${instance_id}" "${az}" > "${ROOT}${WEB_ROOT}/api-health.json"
}

configure_nginx() {
    # The health paths answer 503 until the boot's required steps have all succeeded; never access-logged.
    local gate="access_log off; if (!-f ${STATE}/boot-ok) { return 503 \"boot incomplete\\n\"; }"
    local extra_health="" role_locations upstream=""
    if [[ "${HEALTH_CHECK_PATH}" != "/health" && "${HEALTH_CHECK_PATH}" != "/api/health" ]]; then
        extra_health="location = ${HEALTH_CHECK_PATH} { ${gate} default_type text/plain; return 200 \"ok\\n\"; }"
    fi
    if [[ "${ROLE}" == "frontend" ]]; then
        role_locations="location / { try_files \$uri \$uri/ /index.html; }"
    elif [[ -n "${ARTIFACT_KEY}" ]]; then
        upstream="upstream ecomm_app { server 127.0.0.1:${APP_PORT}; keepalive 32; }"
        role_locations="proxy_http_version 1.1;
        proxy_set_header Connection \"\";
        proxy_set_header Host \$host;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto \$http_x_forwarded_proto;
        proxy_connect_timeout 2s;
        proxy_read_timeout 15s;
        location = /api/health { ${gate} proxy_pass http://ecomm_app; }
        location / { proxy_pass http://ecomm_app; }"
    else
        role_locations="location = /api/health { ${gate} default_type application/json; try_files /api-health.json =500; }
        location / { default_type application/json; return 404 '{\"error\":\"not found\"}\\n'; }"
    fi
    cat > "${ROOT}/etc/nginx/nginx.conf" <<NGINX || return 1
user nginx;
worker_processes auto;
# Twice worker_connections: a proxied request holds two descriptors. Without it the systemd default soft
# limit (1024) caps the 4096 connections and nginx -t warns.
worker_rlimit_nofile 8192;
error_log /var/log/nginx/error.log notice;
pid /run/nginx.pid;
include /usr/share/nginx/modules/*.conf;

events {
    worker_connections 4096;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log /var/log/nginx/access.log;
    sendfile on;
    server_tokens off;
    keepalive_timeout ${KEEPALIVE_SECONDS}s;
    ${upstream}

    server {
        listen ${PORT} default_server;
        server_name _;
        root ${WEB_ROOT};

        location = /health { ${gate} default_type text/plain; return 200 "ok\n"; }
        ${extra_health}
        ${role_locations}
    }
}
NGINX
    nginx -t && systemctl enable --now nginx && systemctl reload nginx
}

# The RDS CA bundle the backend verifies the database against (through the NAT gateway, HTTPS).
fetch_rds_ca() {
    local out="${ROOT}/etc/ecomm/rds-ca.pem"
    mkdir -p "${ROOT}/etc/ecomm" \
        && retry 5 curl -fsS --connect-timeout 5 --max-time 60 -o "${out}.tmp" "${RDS_CA_URL}" \
        && grep -q -- "-----BEGIN CERTIFICATE-----" "${out}.tmp" \
        && chmod 0644 "${out}.tmp" && mv "${out}.tmp" "${out}"
}

# Backend: a boot-time unit writes /etc/ecomm/db.env from SSM, retrying until the database's parameters
# exist. Started without waiting, so nginx (and the health check) never wait for the database.
install_database_env() {
    cat > "${ROOT}/usr/local/bin/ecomm-db-env" <<'SCRIPT' || return 1
{{DB_ENV_SCRIPT}}
SCRIPT
    chmod 0755 "${ROOT}/usr/local/bin/ecomm-db-env" || return 1
    cat > "${ROOT}/etc/systemd/system/ecomm-db-env.service" <<UNIT || return 1
[Unit]
Description=Write /etc/ecomm/db.env from SSM Parameter Store
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/bin/ecomm-db-env ${DB_PARAMETER_PATH} ${REGION}
Restart=on-failure
RestartSec=30

[Install]
WantedBy=multi-user.target
UNIT
    systemctl daemon-reload && systemctl enable ecomm-db-env.service && systemctl start --no-block ecomm-db-env.service
}

# Backend: the app as a service. It drains within 10 s of SIGTERM; systemd waits 30 s before SIGKILL.
start_app() {
    cat > "${ROOT}/etc/systemd/system/ecomm-backend.service" <<UNIT || return 1
[Unit]
Description=ecomm backend (artifact ${ARTIFACT_SHA256})
Wants=network-online.target ecomm-db-env.service
After=network-online.target ecomm-db-env.service

[Service]
User=ecomm
Group=ecomm
WorkingDirectory=${APP_DIR}/current
Environment=NODE_ENV=production HOST=127.0.0.1 PORT=${APP_PORT} ECOMM_DB_CA_FILE=/etc/ecomm/rds-ca.pem
ExecStart=/usr/bin/node-22 server.js
Restart=on-failure
RestartSec=2
TimeoutStopSec=30
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes

[Install]
WantedBy=multi-user.target
UNIT
    systemctl daemon-reload && systemctl enable ecomm-backend.service && systemctl start --no-block ecomm-backend.service
}

# The agent config is rendered by the program's logs plan; the log groups already exist (the program creates
# them with their retention), so the agent only writes streams.
start_cloudwatch_agent() {
    mkdir -p "$(dirname "${ROOT}${CLOUDWATCH_AGENT_CONFIG}")" || return 1
    cat > "${ROOT}${CLOUDWATCH_AGENT_CONFIG}" <<'JSON' || return 1
{{CLOUDWATCH_AGENT_CONFIG}}
JSON
    "${ROOT}/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl" -a fetch-config -m ec2 -s -c "file:${CLOUDWATCH_AGENT_CONFIG}"
}

# AL2023 logs to the journal only; rsyslog writes /var/log/messages for the agent to ship.
start_rsyslog() { systemctl enable --now rsyslog; }

# boot-ok opens the health checks; boot-failed names what failed. Persistent: user data runs once per instance.
record_boot() {
    mkdir -p "${ROOT}${STATE}"
    rm -f "${ROOT}${STATE}/boot-ok" "${ROOT}${STATE}/boot-failed"
    if ((${#FAILED_REQUIRED[@]} == 0)); then
        date -u +%FT%TZ > "${ROOT}${STATE}/boot-ok"
        log "serving ${ROLE} on port ${PORT}"
    else
        printf '%s\n' "${FAILED_REQUIRED[@]}" > "${ROOT}${STATE}/boot-failed"
        log "NOT serving: required steps failed: ${FAILED_REQUIRED[*]}; the health check answers 503"
    fi
}

main() {
    local backend_app=() database=()
    log "bootstrapping the ${ROLE} web server on port ${PORT}"
    step required nginx-package install_nginx
    if [[ -n "${ARTIFACT_KEY}" ]]; then
        step required artifact install_artifact
    else
        step required pages write_pages
    fi
    step required nginx configure_nginx nginx-package
    if [[ "${ROLE}" == "backend" ]]; then
        step required app-user create_app_user
        if [[ -n "${DB_PARAMETER_PATH}" ]]; then
            step required db-env install_database_env app-user
            database=(rds-ca)
        fi
        if [[ -n "${ARTIFACT_KEY}" ]]; then
            step required node install_node
            [[ -n "${DB_PARAMETER_PATH}" ]] && step required rds-ca fetch_rds_ca
            backend_app=(node artifact app-user "${database[@]}")
            step required app start_app "${backend_app[@]}"
        fi
    fi
    record_boot
    step optional logging-packages install_logging
    step optional rsyslog start_rsyslog logging-packages
    step optional cloudwatch-agent start_cloudwatch_agent logging-packages
    if ((${#FAILED[@]} > 0)); then
        log "boot finished with failed steps: ${FAILED[*]}"
        exit 1
    fi
    log "boot finished: every step succeeded"
}

main "$@"
