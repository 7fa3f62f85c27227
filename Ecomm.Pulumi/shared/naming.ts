/**
 * The stack name as a part of physical names. Pulumi allows letters, digits, `-`, `_` and `.` in a stack
 * name; RDS snapshot identifiers allow only letters, digits and single hyphens, KMS aliases no dots, and
 * CloudWatch dashboard names no dots. So `my_stack.v2` becomes `my-stack-v2`.
 */
export function stackSlug(stack: string): string {
    const slug = stack.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-{2,}/g, "-").replace(/^-+|-+$/g, "");
    if (slug === "") throw new Error(`stack name ${JSON.stringify(stack)} has no letter or digit to name resources with`);
    return slug;
}
