/** The instances' architecture and the Amazon Linux 2023 AMI parameter for it. Pure. */

/** Graviton (arm64) instance families carry a `g` after the generation digit: t4g, m7g, c7gn, r8g. */
export function isGraviton(instanceType: string): boolean {
    return /^[a-z]+\d+g[a-z]*\./.test(instanceType);
}

/** The public SSM parameter holding the latest Amazon Linux 2023 AMI for the instance type's architecture. */
export function al2023AmiParameter(instanceType: string): string {
    const arch = isGraviton(instanceType) ? "arm64" : "x86_64";
    return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`;
}
