/**
 * The tag rules of the stack in one place: the tags the program sets itself (the provider's default tags
 * and the per-resource tags that win over them), and AWS's limits on user tags. The schema, the stack
 * program and the tests all read them from here.
 *
 * How tags reach AWS here: the program's explicit AWS provider carries `defaultTags` = `ecomm:tags` plus
 * the program's own keys (`programTags`), which win over a user tag of the same key. A resource's own
 * `tags` win over the provider's default tags ("tags with matching keys will overwrite those defined at
 * the provider-level", @pulumi/aws), so a user tag named like one of `RESOURCE_TAG_KEYS` is silently
 * replaced on those resources. An explicit provider reads no `aws:*` stack config (by design, pulumi-aws
 * #1307), so `aws:defaultTags` would be ignored without a word.
 */

/** The keys of the default tags the program itself sets on every taggable resource. */
export const PROGRAM_TAG_KEYS = ["Project", "Environment", "ManagedBy", "Stack"] as const;

/**
 * Keys some resources set in their own `tags`, which override a default tag of the same key: `Name`
 * (almost everything), `Service` (instances, volumes, ASGs), `Experiment` (FIS templates), `SubnetType`
 * (awsx's subnets and route tables).
 */
export const RESOURCE_TAG_KEYS = ["Name", "Service", "Experiment", "SubnetType"] as const;

/** The program's own default tags. */
export function programTags(environment: string, stack: string): Record<(typeof PROGRAM_TAG_KEYS)[number], string> {
    return { Project: "ecomm", Environment: environment, ManagedBy: "pulumi", Stack: stack };
}

/**
 * AWS's tag limits (Tagging AWS resources, "Tag naming limits and requirements"): at most 50 user tags
 * per resource; keys 1–128 and values 0–256 Unicode characters; letters, numbers, spaces and `_ . : / = + - @`
 * across services (EC2 alone allows more); the `aws:` prefix, in any case, is reserved for AWS and refused.
 */
export const MAX_TAGS_PER_RESOURCE = 50;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** How many user tags fit: a resource carries the program's default tags and up to two of its own as well. */
export const MAX_USER_TAGS = MAX_TAGS_PER_RESOURCE - PROGRAM_TAG_KEYS.length - 2;

/** What is wrong with a tag key, if anything. */
export function tagKeyProblem(key: string): string | undefined {
    const length = [...key].length;
    if (length < 1 || length > MAX_TAG_KEY_LENGTH) return `tag keys must be 1–${MAX_TAG_KEY_LENGTH} characters`;
    if (!TAG_CHARACTERS.test(key)) return "tag keys may contain only letters, digits, spaces and _.:/=+-@";
    if (/^aws:/i.test(key)) return 'tag keys must not start with "aws:" (reserved for AWS, which refuses them)';
    const program = [...PROGRAM_TAG_KEYS].find((k) => k === key);
    if (program) return `is a tag the program sets on every resource (${program}); the program's value would silently replace yours: choose another key`;
    const own = [...RESOURCE_TAG_KEYS].find((k) => k === key);
    if (own) return `is a tag some resources set themselves (${own}), which silently replaces a default tag of that key: choose another key`;
    return undefined;
}

/** What is wrong with a tag value, if anything. */
export function tagValueProblem(value: string): string | undefined {
    if ([...value].length > MAX_TAG_VALUE_LENGTH) return `tag values must be at most ${MAX_TAG_VALUE_LENGTH} characters`;
    if (!TAG_CHARACTERS.test(value)) return "tag values may contain only letters, digits, spaces and _.:/=+-@";
    if (/^aws:/i.test(value)) return 'tag values must not start with "aws:" (reserved for AWS)';
    return undefined;
}
