/**
 * How long a web instance takes to serve after it goes InService, on a cold boot (nothing cached, every
 * package downloaded), and the health-check grace period that covers it. One figure, used by the config
 * schema (default and minimum of `ecomm:<service>.healthCheckGracePeriodSeconds`), the components and the
 * plan's scorecard. Pure, no imports.
 *
 * The grace period starts when EC2 Auto Scaling puts the instance InService, which is also when it is
 * registered with the target group and the ALB starts health-checking it (EC2 Auto Scaling User Guide,
 * "Set the health check grace period"). Until the grace period ends, failed ELB checks are ignored; after it,
 * a target the ALB holds unhealthy is replaced. So the grace period must cover the boot up to nginx
 * answering, plus the healthy threshold's consecutive passing checks.
 */

/** One step of the boot script (`userdata/web-server.sh`, `main`) or of what runs before it. */
export interface BootStep {
    readonly step: string;
    readonly seconds: number;
    /** Where the figure comes from. */
    readonly source: string;
}

/**
 * The cold boot on the smallest burstable Graviton type the defaults use (t4g.small: 2 vCPU, 2 GiB), in the
 * order `web-server.sh` runs. Estimates, not measurements: no AWS document gives dnf or boot timings, and
 * nothing here has run on AWS. Replace them with `npm run gameday` measurements when you have them.
 */
export const COLD_BOOT_STEPS: readonly BootStep[] = [
    {
        step: "kernel, systemd and cloud-init up to the user-data script",
        seconds: 30,
        source: "estimate for Amazon Linux 2023 on Nitro (AL2023 has no boot-time figure in its docs)",
    },
    {
        step: "what serves: dnf install nginx (repository metadata, then the package), the app artifact from S3, and on the backend dnf install nodejs22, the RDS CA bundle and the app's start",
        seconds: 90,
        source: "estimate, not re-measured since the logging packages (amazon-cloudwatch-agent, rsyslog) moved after serving: AL2023 repository metadata plus nginx and Node.js 22 through the NAT gateway on a burstable instance, a few MB from S3 through the gateway endpoint",
    },
    {
        step: "one failed dnf attempt and the script's first back-off (`sleep 5`)",
        seconds: 35,
        source: "web-server.sh retry: 5 attempts, sleep attempt × 5 s; dnf's default timeout is 30 s",
    },
    {
        step: "nginx.conf, nginx -t, systemctl enable --now nginx, boot-ok (the health paths answer 200 from here)",
        seconds: 5,
        source: "estimate: a few file writes and a service start",
    },
];

/** Seconds from InService to nginx answering on a cold boot: the sum of `COLD_BOOT_STEPS`. */
export const COLD_BOOT_SECONDS = COLD_BOOT_STEPS.reduce((sum, s) => sum + s.seconds, 0);

/** Seconds the ALB needs, once nginx answers, to mark the target healthy: interval × healthy threshold. */
export function healthySeconds(hc: { readonly intervalSeconds: number; readonly healthyThreshold: number }): number {
    return hc.intervalSeconds * hc.healthyThreshold;
}

/** The shortest grace period that covers a cold boot for these health checks: boot + interval × healthy threshold. */
export function minimumGraceSeconds(hc: { readonly intervalSeconds: number; readonly healthyThreshold: number }): number {
    return COLD_BOOT_SECONDS + healthySeconds(hc);
}

/** The default grace period: the minimum rounded up to the next 30 s. */
export function defaultGraceSeconds(hc: { readonly intervalSeconds: number; readonly healthyThreshold: number }): number {
    return Math.ceil(minimumGraceSeconds(hc) / 30) * 30;
}
