#!/bin/bash
# ecomm web-tier bootstrap (EC2 user data, Amazon Linux 2023).
# Installs nginx from the AL2023 repositories and serves, on port {{PORT}}:
#   /health                       200 "ok" on both tiers (and the configured health-check path)
#   frontend: /                   the storefront page
#   backend:  /api/health         JSON {"status":"ok",...}; other /api/* paths answer JSON 404
# Rendered by Ecomm.Pulumi/web-plan.ts (renderUserData), which fills the {{...}} placeholders.
set -euo pipefail

readonly ROLE="{{ROLE}}"
readonly PORT="{{PORT}}"
readonly HEALTH_CHECK_PATH="{{HEALTH_CHECK_PATH}}"
# Longer than the ALB's idle timeout, so the ALB always closes idle connections first (no 502s).
readonly KEEPALIVE_SECONDS="{{KEEPALIVE_SECONDS}}"
readonly WEB_ROOT="/usr/share/nginx/ecomm"

log() {
    echo "ecomm-userdata: $*" | systemd-cat -t ecomm-userdata || true
    echo "ecomm-userdata: $*"
}

# The NAT gateway or the package mirror may not answer in the first seconds of boot: retry.
install_nginx() {
    local attempt
    for attempt in 1 2 3 4 5; do
        if dnf install -y -q nginx; then
            return 0
        fi
        log "dnf install nginx failed (attempt ${attempt}); retrying"
        sleep $((attempt * 5))
    done
    return 1
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
    install_nginx
    write_pages
    write_nginx_config
    nginx -t
    systemctl enable --now nginx
    systemctl reload nginx
    log "nginx is serving ${ROLE} on port ${PORT}"
}

main "$@"
