/** The listener layout: HTTPS with an HTTP→HTTPS redirect when a certificate is set, else HTTP only. Pure. */

/** The TLS policy for HTTPS listeners: TLS 1.3, with TLS 1.2 for older clients (AWS's recommended policy). */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** The listeners the ALB gets: HTTPS with an HTTP→HTTPS redirect when a certificate is set, else HTTP only. */
export interface ListenerPlan {
    /** The port serving traffic (forward to the services). */
    readonly servingPort: 80 | 443;
    readonly servingProtocol: "HTTP" | "HTTPS";
    /** Whether port 80 only redirects (301) to 443. */
    readonly redirectHttp: boolean;
    /** Ports open to the internet on the ALB's security group. */
    readonly openPorts: readonly number[];
    /** The site's URL scheme. */
    readonly scheme: "http" | "https";
}

export function listenerPlan(hasCertificate: boolean): ListenerPlan {
    return hasCertificate
        ? { servingPort: 443, servingProtocol: "HTTPS", redirectHttp: true, openPorts: [80, 443], scheme: "https" }
        : { servingPort: 80, servingProtocol: "HTTP", redirectHttp: false, openPorts: [80], scheme: "http" };
}
