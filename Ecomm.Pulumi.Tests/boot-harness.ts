/**
 * Runs a rendered user-data script for real (bash) in a temporary root, with fakes of what an AL2023
 * instance provides on PATH: dnf, systemctl, curl (the IMDSv2 metadata service and the RDS trust store), the
 * aws CLI (S3), nginx, useradd/getent/chown/chgrp, systemd-cat. Each fake logs its call; any call can be told
 * to fail, always or its first N times. What the script writes lands under `<dir>/root` (ECOMM_BOOT_ROOT).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const INSTANCE_ID = "i-0123456789abcdef0";
export const AZ = "us-east-1a";
const TOKEN = "AQAEAFakeImdsV2Token==";
export const FAKE_PEM = "-----BEGIN CERTIFICATE-----\nMIIFakeRdsCa\n-----END CERTIFICATE-----\n";

export interface BootFailure {
    /** The call fails when its command line (`dnf install -y -q nginx`) contains this. */
    readonly match: string;
    /** Fail the first `times` matching calls only. @default always */
    readonly times?: number;
}

export interface BootRun {
    readonly dir: string;
    readonly root: string;
    readonly code: number;
    readonly stdout: string;
    /** Every faked call, in order: `dnf install -y -q nginx`, `systemctl enable --now nginx`, ... */
    readonly calls: readonly string[];
    file(p: string): string | undefined;
    exists(p: string): boolean;
    mode(p: string): number;
    /** Index of the first call containing `text` (-1 if none). */
    at(text: string): number;
    count(text: string): number;
}

const PRELUDE = `#!/bin/bash
line="$(basename "$0") $*"
[[ "$(basename "$0")" == systemd-cat ]] || echo "\${line}" >> "\${FAKE_DIR}/calls"
n=0
while IFS='|' read -r pattern times; do
    [[ -z "\${pattern}" ]] && continue
    n=$((n + 1))
    if [[ "\${line}" == *"\${pattern}"* ]]; then
        count_file="\${FAKE_DIR}/count.\${n}"
        count=$(( $(cat "\${count_file}" 2>/dev/null || echo 0) + 1 ))
        echo "\${count}" > "\${count_file}"
        if [[ -z "\${times}" || "\${count}" -le "\${times}" ]]; then
            echo "fake: \${line}: told to fail" >&2
            exit 1
        fi
    fi
done < "\${FAKE_DIR}/fail"
`;

const FAKES: Record<string, string> = {
    // Installing a package puts its files where AL2023's package would.
    dnf: `for p in "$@"; do
    case "$p" in
        nginx) mkdir -p "\${ECOMM_BOOT_ROOT}/etc/nginx" ;;
        amazon-cloudwatch-agent)
            d="\${ECOMM_BOOT_ROOT}/opt/aws/amazon-cloudwatch-agent/bin"; mkdir -p "$d"
            cp "\${FAKE_DIR}/bin/amazon-cloudwatch-agent-ctl" "$d/" ;;
    esac
done`,
    "amazon-cloudwatch-agent-ctl": "exit 0",
    systemctl: "exit 0",
    nginx: "exit 0",
    useradd: "exit 0",
    chown: "exit 0",
    chgrp: "exit 0",
    getent: "exit 2",
    "systemd-cat": "cat > /dev/null",
    // IMDSv2: a PUT for a token, then GETs carrying it; a GET without the token is refused (curl -f: 22).
    // The RDS trust store answers with a PEM.
    curl: `out=""; token=""; put=0; url=""
while (($#)); do
    case "$1" in
        -o) out="$2"; shift ;;
        -X) [[ "$2" == PUT ]] && put=1; shift ;;
        -H) [[ "$2" == "X-aws-ec2-metadata-token: "* ]] && token="\${2#X-aws-ec2-metadata-token: }"; shift ;;
        --connect-timeout|--max-time) shift ;;
        -*) ;;
        *) url="$1" ;;
    esac
    shift
done
case "$url" in
    http://169.254.169.254/latest/api/token) ((put)) && { printf '%s' "${TOKEN}"; exit 0; }; exit 22 ;;
    http://169.254.169.254/latest/meta-data/*)
        [[ "$token" == "${TOKEN}" ]] || exit 22
        case "\${url#http://169.254.169.254/latest/meta-data/}" in
            instance-id) printf '%s' "${INSTANCE_ID}" ;;
            placement/availability-zone) printf '%s' "${AZ}" ;;
            *) exit 22 ;;
        esac ;;
    https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem) printf '%s' "\${FAKE_PEM}" > "$out" ;;
    *) exit 6 ;;
esac`,
    // aws s3 cp [--region R] [--only-show-errors] s3://bucket/key dest: copies from <dir>/s3/bucket/key.
    aws: `[[ "$1 $2" == "s3 cp" ]] || exit 2
src=""; dest=""
for a in "\${@:3}"; do
    case "$a" in s3://*) src="\${a#s3://}" ;; -*|us-*|eu-*) ;; *) dest="$a" ;; esac
done
[[ -f "\${FAKE_DIR}/s3/\${src}" ]] || { echo "fatal error: An error occurred (403) when calling the HeadObject operation: Forbidden" >&2; exit 1; }
cp "\${FAKE_DIR}/s3/\${src}" "\${dest}"`,
};

export interface BootOptions {
    readonly failures?: readonly BootFailure[];
    /** Objects in the fake S3: `bucket/key` → bytes. */
    readonly s3?: Readonly<Record<string, Buffer>>;
}

export function runBoot(script: string, options: BootOptions = {}): BootRun {
    // A script that ignores the root would write to this machine's /etc (tests may run as root).
    if (!script.includes('readonly ROOT="${ECOMM_BOOT_ROOT:-}"')) throw new Error("the script does not place its files under ECOMM_BOOT_ROOT: refusing to run it here");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-boot-"));
    const bin = path.join(dir, "bin");
    const root = path.join(dir, "root");
    fs.mkdirSync(bin);
    for (const d of ["etc/systemd/system", "usr/local/bin", "usr/share/nginx"]) fs.mkdirSync(path.join(root, d), { recursive: true });
    for (const [name, body] of Object.entries(FAKES)) fs.writeFileSync(path.join(bin, name), `${PRELUDE}${body}\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "fail"), (options.failures ?? []).map((f) => `${f.match}|${f.times ?? ""}`).join("\n") + "\n");
    fs.writeFileSync(path.join(dir, "calls"), "");
    for (const [object, bytes] of Object.entries(options.s3 ?? {})) {
        fs.mkdirSync(path.dirname(path.join(dir, "s3", object)), { recursive: true });
        fs.writeFileSync(path.join(dir, "s3", object), bytes);
    }
    fs.writeFileSync(path.join(dir, "user-data.sh"), script);
    const res = spawnSync("bash", [path.join(dir, "user-data.sh")], {
        env: { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, FAKE_DIR: dir, FAKE_PEM, ECOMM_BOOT_ROOT: root, ECOMM_BOOT_BACKOFF_SECONDS: "0", HOME: dir, LANG: "C" },
        encoding: "utf8",
        timeout: 60_000,
    });
    if (res.error) throw res.error;
    const calls = fs.readFileSync(path.join(dir, "calls"), "utf8").split("\n").filter(Boolean);
    const at = (p: string) => path.join(root, p);
    return {
        dir,
        root,
        code: res.status ?? -1,
        stdout: res.stdout + res.stderr,
        calls,
        file: (p) => (fs.existsSync(at(p)) ? fs.readFileSync(at(p), "utf8") : undefined),
        exists: (p) => fs.existsSync(at(p)),
        mode: (p) => fs.statSync(at(p)).mode & 0o777,
        at: (text) => calls.findIndex((c) => c.includes(text)),
        count: (text) => calls.filter((c) => c.includes(text)).length,
    };
}
