/** Pure rendering of a recorded stack run: the resource tree by parent, counts by type, the outputs. */
import type { RecordedResource } from "../recorded";
import { columns, PLAIN, type Style } from "./style";

export interface TreeNode {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly children: TreeNode[];
}

/** Builds the parent/child forest from recorded URNs (the root stack's children are the roots). */
export function buildTree(resources: readonly RecordedResource[]): TreeNode[] {
    const nodes = new Map<string, TreeNode>();
    for (const r of resources) nodes.set(r.urn, { type: r.type, name: r.name, urn: r.urn, children: [] });
    const roots: TreeNode[] = [];
    for (const r of resources) {
        const node = nodes.get(r.urn)!;
        const parent = nodes.get(r.parentUrn);
        if (parent) parent.children.push(node);
        else roots.push(node);
    }
    // Registration order depends on promise timing; sort for a stable, readable tree.
    const sort = (list: TreeNode[]) => {
        list.sort((a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type));
        list.forEach((n) => sort(n.children));
    };
    sort(roots);
    return roots;
}

/** Counts resources by type, most common first, then by name. */
export function countByType(resources: readonly RecordedResource[]): [string, number][] {
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export function renderTree(resources: readonly RecordedResource[]): string {
    const lines: string[] = [];
    const walk = (node: TreeNode, depth: number) => {
        lines.push(`${"  ".repeat(depth)}${node.name}  (${node.type})`);
        for (const child of node.children) walk(child, depth + 1);
    };
    for (const root of buildTree(resources)) walk(root, 0);
    return lines.join("\n");
}

export function renderCounts(resources: readonly RecordedResource[], style: Style = PLAIN): string {
    const rows = [...countByType(resources).map(([t, n]) => [t, String(n)]), ["total", String(resources.length)]];
    return columns(style, rows, [1]).join("\n");
}

export function renderOutputs(outputs: Readonly<Record<string, unknown>>, style: Style = PLAIN): string {
    return columns(style, Object.keys(outputs).sort().map((k) => [k, JSON.stringify(outputs[k])])).join("\n");
}
