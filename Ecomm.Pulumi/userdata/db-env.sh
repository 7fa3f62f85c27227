#!/bin/bash
# ecomm-db-env: writes /etc/ecomm/db.env (DB_HOST, DB_PORT, DB_NAME, DB_SECRET_ARN) from the SSM
# parameters the stack keeps up to date. Installed on backend instances by the user data and run by the
# ecomm-db-env systemd unit at every boot; the unit retries every 30 s until the parameters exist (the
# database may still be being created when the first instances boot).
# Usage: ecomm-db-env <parameter path> <region>
# The password is not written anywhere: the application reads DB_SECRET_ARN from Secrets Manager itself,
# so it follows rotation.
set -euo pipefail

readonly PARAMETER_PATH="$1"
readonly REGION="$2"
# Overridable for tests only.
readonly OUT="${ECOMM_DB_ENV_FILE:-/etc/ecomm/db.env}"

values="$(aws ssm get-parameters --region "${REGION}" \
    --names "${PARAMETER_PATH}/endpoint" "${PARAMETER_PATH}/port" "${PARAMETER_PATH}/name" "${PARAMETER_PATH}/secret-arn" \
    --query 'Parameters[].[Name,Value]' --output text)"

value_of() {
    awk -F '\t' -v name="${PARAMETER_PATH}/$1" '$1 == name { print $2 }' <<<"${values}"
}

host="$(value_of endpoint)"
port="$(value_of port)"
name="$(value_of name)"
secret_arn="$(value_of secret-arn)"
if [[ -z "${host}" || -z "${port}" || -z "${name}" || -z "${secret_arn}" ]]; then
    echo "ecomm-db-env: parameters under ${PARAMETER_PATH} are not all there yet" >&2
    exit 1
fi

mkdir -p "$(dirname "${OUT}")"
umask 027
# mktemp creates 0600: readable by root:ecomm only (group ecomm holds just the app's user), set before the
# values are written and kept by the rename.
tmp="$(mktemp "${OUT}.XXXXXX")"
trap 'rm -f "${tmp}"' EXIT
chgrp ecomm "${tmp}"
chmod 0640 "${tmp}"
printf 'DB_HOST=%s\nDB_PORT=%s\nDB_NAME=%s\nDB_SECRET_ARN=%s\n' "${host}" "${port}" "${name}" "${secret_arn}" > "${tmp}"
mv "${tmp}" "${OUT}"
trap - EXIT
echo "ecomm-db-env: wrote ${OUT} for ${host}:${port}/${name}"
