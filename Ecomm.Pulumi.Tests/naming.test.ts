import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { patched, run } from "./harness";

const nameOf = (urn: string) => urn.split("::").pop() ?? "";
const typeOf = (urn: string) => (urn.split("::")[2] ?? "").split("$").pop() ?? "";

describe("every child is named after its parent and parented to it", () => {
    for (const [label, stack, config] of [
        ["dev", "dev", {}],
        ["prod", "prod", {}],
        ["prod with a domain and resilience", "prod", { "ecomm:certificateArn": undefined, "ecomm:domain": { name: "shop.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }, ...patched("prod", "ecomm:resilience", { enabled: true }) }],
    ] as const) {
        it(label, async () => {
            const r = await run(stack, config);
            const components = r.resources.filter((x) => x.type.startsWith("ecomm:"));
            assert.ok(components.length >= 5);
            for (const c of components) {
                const parent = typeOf(c.parentUrn);
                assert.ok(parent === "pulumi:pulumi:Stack" || parent.startsWith("ecomm:"), `${c.name} hangs off ${parent}`);
            }
            const strays: string[] = [];
            for (const x of r.resources) {
                if (x.type.startsWith("pulumi:providers:") || x.type.startsWith("ecomm:")) {
                    if (x.type.startsWith("ecomm:") && typeOf(x.parentUrn).startsWith("ecomm:") && !x.name.startsWith(`${nameOf(x.parentUrn)}-`)) strays.push(`${x.name} under ${nameOf(x.parentUrn)}`);
                    continue;
                }
                const parentType = typeOf(x.parentUrn);
                if (!parentType.startsWith("ecomm:")) strays.push(`${x.type} ${x.name} is not inside a component`);
                else if (!x.name.startsWith(`${nameOf(x.parentUrn)}-`)) strays.push(`${x.name} under ${nameOf(x.parentUrn)}`);
            }
            assert.deepEqual(strays, []);
        });
    }
});
