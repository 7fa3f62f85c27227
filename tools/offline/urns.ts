/**
 * Real URNs. Pulumi's mock monitor names a child from its parent's LAST type only
 * (`urn:pulumi:s::p::ecomm:web:ServiceComponent$aws:autoscaling/group:Group::web-frontend-asg`), while the
 * real engine prefixes the parent's whole qualified type
 * (`...::ecomm:web:WebTierComponent$ecomm:web:ServiceComponent$aws:autoscaling/group:Group::web-frontend-asg`).
 * A freeze of the mock's URNs would miss the move of any grandchild, so everything that freezes or compares
 * URNs rebuilds them here from the recorded parent links, with the engine's rule.
 */
import type { AliasRecord } from "../recorded";

export type { AliasRecord };

/** The root stack resource's type: its children's qualified type is their own type alone. */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** The parts of a URN: `urn:pulumi:<stack>::<project>::<qualified type>::<name>`. */
export interface UrnParts {
    readonly stack: string;
    readonly project: string;
    /** The parent chain's types and the resource's own, joined with `$`. */
    readonly qualifiedType: string;
    readonly name: string;
}

export function parseUrn(urn: string): UrnParts {
    const m = /^urn:pulumi:([^:]+)::([^:]+)::(.+?)::(.*)$/s.exec(urn);
    if (!m) throw new Error(`not a Pulumi URN: ${urn}`);
    return { stack: m[1], project: m[2], qualifiedType: m[3], name: m[4] };
}

/** The resource's own type: the last `$`-separated part of the qualified type. */
export function typeOfUrn(urn: string): string {
    return parseUrn(urn).qualifiedType.split("$").pop() ?? "";
}

/**
 * The URN the real engine gives a resource (`resource/urn.go` NewURN with the parent's qualified type):
 * the parent's qualified type, `$`, the resource's type; no prefix under the root stack or without a parent.
 */
export function realUrn(stack: string, project: string, parentRealUrn: string | undefined, type: string, name: string): string {
    let qualified = type;
    if (parentRealUrn) {
        const parent = parseUrn(parentRealUrn);
        if (parent.qualifiedType !== ROOT_STACK_TYPE) qualified = `${parent.qualifiedType}$${type}`;
    }
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** What the URN rule needs of a recorded resource. */
export interface UrnNode {
    readonly type: string;
    readonly name: string;
    /** The URN the (mock) monitor answered. */
    readonly urn: string;
    /** The parent's URN as the monitor knows it; empty for the stack itself. */
    readonly parentUrn: string;
    readonly aliases?: readonly AliasRecord[];
}

/** Every recorded resource's real URN, keyed by the URN the mock monitor gave it. */
export function realUrns(resources: readonly UrnNode[]): Map<string, string> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const real = new Map<string, string>();
    const resolve = (r: UrnNode, seen: Set<string>): string => {
        const known = real.get(r.urn);
        if (known) return known;
        if (seen.has(r.urn)) throw new Error(`parent cycle at ${r.urn}`);
        seen.add(r.urn);
        const { stack, project } = parseUrn(r.urn);
        const parent = r.parentUrn ? byUrn.get(r.parentUrn) : undefined;
        // A parent that was not recorded (the root stack) keeps the URN the monitor gave it.
        const parentReal = parent ? resolve(parent, seen) : r.parentUrn || undefined;
        const urn = realUrn(stack, project, parentReal, r.type, r.name);
        real.set(r.urn, urn);
        return urn;
    };
    for (const r of resources) resolve(r, new Set());
    return real;
}

/**
 * Every real URN under which the engine would find a resource's old state: its own, each alias resolved
 * with the real rule, and (as the engine does for children of an aliased parent) its own name and type
 * under each of its parent's old URNs.
 */
export function urnCandidates(resources: readonly UrnNode[]): Map<string, Set<string>> {
    const real = realUrns(resources);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const memo = new Map<string, Set<string>>();
    const candidates = (r: UrnNode): Set<string> => {
        const known = memo.get(r.urn);
        if (known) return known;
        const { stack, project } = parseUrn(r.urn);
        const own = real.get(r.urn) as string;
        const parent = r.parentUrn ? byUrn.get(r.parentUrn) : undefined;
        const parentNow = parent ? (real.get(parent.urn) as string) : r.parentUrn || undefined;
        const parentOld = parent ? [...candidates(parent)] : parentNow ? [parentNow] : [];
        const out = new Set<string>([own]);
        for (const p of parentOld) out.add(realUrn(stack, project, p, r.type, r.name));
        for (const a of r.aliases ?? []) {
            if (a.urn) {
                out.add(a.urn);
                continue;
            }
            const name = a.name || r.name;
            const type = a.type || r.type;
            const s = a.stack || stack;
            const p = a.project || project;
            const parents = a.noParent
                ? [undefined]
                : a.parentUrn
                  ? // A recorded parent resolves to its real URN; anything else was written as a real URN.
                    [byUrn.has(a.parentUrn) ? (real.get(a.parentUrn) as string) : a.parentUrn]
                  : parentOld.length > 0
                    ? parentOld
                    : [undefined];
            for (const parentUrn of parents) out.add(realUrn(s, p, parentUrn, type, name));
        }
        memo.set(r.urn, out);
        return out;
    };
    for (const r of resources) candidates(r);
    return memo;
}

/**
 * The comparison a freeze makes: frozen URNs no resource answers to (the engine would delete them), and
 * resources none of whose old URNs is frozen (new, or moved without an alias).
 */
export function compareFrozen(frozen: readonly string[], resources: readonly UrnNode[]): { gone: string[]; added: string[] } {
    const real = realUrns(resources);
    const all = urnCandidates(resources);
    const frozenSet = new Set(frozen);
    const reachable = new Set<string>();
    const added: string[] = [];
    for (const r of resources) {
        const old = [...(all.get(r.urn) ?? [])];
        for (const u of old) reachable.add(u);
        if (!old.some((u) => frozenSet.has(u))) added.push(real.get(r.urn) as string);
    }
    return { gone: frozen.filter((u) => !reachable.has(u)), added: added.sort() };
}
