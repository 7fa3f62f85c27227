#!/bin/bash
# ecomm web-tier bootstrap (EC2 user data, Amazon Linux 2023).
# Installs nginx from the AL2023 repositories and serves, on port {{PORT}}:
#   /health                       200 "ok" on both tiers (and the configured health-check path)
#   frontend: /                   the storefront page
#   backend:  /api/health         JSON {"status":"ok",...}; other /api/* paths answer JSON 404
# Ships nginx's access and error logs and the system log to CloudWatch Logs (CloudWatch agent), and on
# the backend installs ecomm-db-env, which writes /etc/ecomm/db.env from SSM Parameter Store.
# Rendered by Ecomm.Pulumi/web-plan.ts (renderUserData), which fills the {{...}} placeholders.
set -euo pipefail

readonly ROLE="{{ROLE}}"
readonly PORT="{{PORT}}"
readonly HEALTH_CHECK_PATH="{{HEALTH_CHECK_PATH}}"
# Longer than the ALB's idle timeout, so the ALB always closes idle connections first (no 502s).
readonly KEEPALIVE_SECONDS="{{KEEPALIVE_SECONDS}}"
readonly WEB_ROOT="/usr/share/nginx/ecomm"
readonly CLOUDWATCH_AGENT_CONFIG="{{CLOUDWATCH_AGENT_CONFIG_PATH}}"
# Backend only (empty on the frontend): where the database's connection parameters live, and the region.
readonly DB_PARAMETER_PATH="{{DB_PARAMETER_PATH}}"
readonly REGION="{{REGION}}"

log() {
    echo "ecomm-userdata: $*" | systemd-cat -t ecomm-userdata || true
    echo "ecomm-userdata: $*"
}

# The NAT gateway or the package mirror may not answer in the first seconds of boot: retry.
# rsyslog: AL2023 logs to the journal only; rsyslog writes /var/log/messages for the agent to ship.
install_packages() {
    local attempt
    for attempt in 1 2 3 4 5; do
        if dnf install -y -q nginx amazon-cloudwatch-agent rsyslog; then
            return 0
        fi
        log "dnf install failed (attempt ${attempt}); retrying"
        sleep $((attempt * 5))
    done
    return 1
}

# The agent config is rendered by Ecomm.Pulumi/logs-plan.ts; the log groups already exist (the program
# creates them with their retention), so the agent only writes streams.
start_cloudwatch_agent() {
    systemctl enable --now rsyslog
    mkdir -p "$(dirname "${CLOUDWATCH_AGENT_CONFIG}")"
    cat > "${CLOUDWATCH_AGENT_CONFIG}" <<'JSON'
{{CLOUDWATCH_AGENT_CONFIG}}
JSON
    /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c "file:${CLOUDWATCH_AGENT_CONFIG}"
}

# Backend: a boot-time unit writes /etc/ecomm/db.env from SSM, retrying until the database's parameters
# exist. Started without waiting, so nginx (and the health check) never wait for the database.
install_database_env() {
    if [[ -z "${DB_PARAMETER_PATH}" ]]; then
        return 0
    fi
    cat > /usr/local/bin/ecomm-db-env <<'SCRIPT'
{{DB_ENV_SCRIPT}}
SCRIPT
    chmod 0755 /usr/local/bin/ecomm-db-env
    cat > /etc/systemd/system/ecomm-db-env.service <<UNIT
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
    systemctl daemon-reload
    systemctl enable ecomm-db-env.service
    systemctl start --no-block ecomm-db-env.service
}

# IMDSv2 only: a session token first, then the metadata item.
metadata() {
    local token
    token="$(curl -sf --connect-timeout 2 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token)" || return 1
    curl -sf --connect-timeout 2 -H "X-aws-ec2-metadata-token: ${token}" "http://169.254.169.254/latest/meta-data/$1"
}

write_pages() {
    local instance_id az
    instance_id="$(metadata instance-id || echo unknown)"
    az="$(metadata placement/availability-zone || echo unknown)"
    mkdir -p "${WEB_ROOT}"
    if [[ "${ROLE}" == "frontend" ]]; then
        cat > "${WEB_ROOT}/index.html" <<HTML
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
    printf '{"status":"ok","service":"%s","instance":"%s","az":"%s"}\n' "${ROLE}" "${instance_id}" "${az}" > "${WEB_ROOT}/api-health.json"
}

write_nginx_config() {
    local extra_health="" role_locations
    if [[ "${HEALTH_CHECK_PATH}" != "/health" && "${HEALTH_CHECK_PATH}" != "/api/health" ]]; then
        extra_health="location = ${HEALTH_CHECK_PATH} { default_type text/plain; return 200 \"ok\\n\"; }"
    fi
    if [[ "${ROLE}" == "frontend" ]]; then
        role_locations="location / { try_files \$uri \$uri/ /index.html; }"
    else
        role_locations="location = /api/health { default_type application/json; try_files /api-health.json =500; }
        location /api/ { default_type application/json; return 404 '{\"error\":\"not found\"}\\n'; }
        location / { default_type application/json; return 404 '{\"error\":\"not found\"}\\n'; }"
    fi
    cat > /etc/nginx/nginx.conf <<NGINX
user nginx;
worker_processes auto;
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

    server {
        listen ${PORT} default_server;
        server_name _;
        root ${WEB_ROOT};

        location = /health { access_log off; default_type text/plain; return 200 "ok\n"; }
        ${extra_health}
        ${role_locations}
    }
}
NGINX
}

main() {
    log "bootstrapping the ${ROLE} web server on port ${PORT}"
    install_packages
    write_pages
    write_nginx_config
    nginx -t
    systemctl enable --now nginx
    systemctl reload nginx
    log "nginx is serving ${ROLE} on port ${PORT}"
    start_cloudwatch_agent
    log "the CloudWatch agent ships nginx and system logs"
    install_database_env
}

main "$@"
