/**
 * What the offline runner records of each resource: the neutral types the runner, the report, the plan
 * and the tests share, so none of them imports another for its types (no runner ↔ report loop).
 */

/** An alias as the SDK sends it: a literal URN, or a spec the engine resolves against the resource. */
export interface AliasRecord {
    /** A literal URN (taken as it is written). */
    readonly urn?: string;
    /** The old name; the resource's own when empty. */
    readonly name?: string;
    /** The old type; the resource's own when empty. */
    readonly type?: string;
    /** The old parent's URN; the resource's current parent when empty (and `noParent` is false). */
    readonly parentUrn?: string;
    /** The resource had no parent (it sat directly under the stack). */
    readonly noParent?: boolean;
    readonly stack?: string;
    readonly project?: string;
}

/** One registered resource as the engine saw it. */
export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    /** Set once the monitor has answered the registration. */
    urn: string;
    /** The parent's URN; empty for the stack itself. */
    parentUrn: string;
    readonly custom: boolean;
    protect: boolean;
    ignoreChanges: string[];
    /** URNs of the resources this one depends on (explicit `dependsOn` and those its input Outputs came from). */
    dependencies: string[];
    /** The aliases the SDK sent, as literal URNs or specs (`./offline/urns.ts` resolves them with the real rule). */
    aliases: AliasRecord[];
    /** The explicit provider reference (`urn::id`), when the resource was given one; empty otherwise. */
    readonly provider: string;
    readonly inputs: Record<string, unknown>;
    readonly id: string | undefined;
    readonly state: Record<string, unknown>;
}

