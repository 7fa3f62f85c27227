import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { one, run } from "./harness";
import { STATEFUL_TYPES } from "../tools/offline/stateful";
import { compareFrozen, frozenUrns, GOLDEN_STACKS, runGolden } from "../tools/offline/urn-freeze";
import { realUrn, realUrns, typeOfUrn, urnCandidates, type UrnNode } from "../tools/offline/urns";

const snapshot = JSON.parse(fs.readFileSync(path.join(__dirname, "__snapshots__", "urns.json"), "utf8")) as Record<string, string[]>;

const STACK = "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s";
/** A stack → A → B → leaf chain recorded as the mock monitor names it (parent's last type only). */
const nested: UrnNode[] = [
    { type: "x:m:A", name: "a", urn: "urn:pulumi:s::p::x:m:A::a", parentUrn: STACK },
    { type: "x:m:B", name: "a-b", urn: "urn:pulumi:s::p::x:m:A$x:m:B::a-b", parentUrn: "urn:pulumi:s::p::x:m:A::a" },
    { type: "aws:s3/bucket:Bucket", name: "a-b-logs", urn: "urn:pulumi:s::p::x:m:B$aws:s3/bucket:Bucket::a-b-logs", parentUrn: "urn:pulumi:s::p::x:m:A$x:m:B::a-b" },
];

describe("the real URN rule (whole parent chain)", () => {
    it("prefixes a grandchild with every ancestor's type, where the mock names only the parent's last type", () => {
        const real = realUrns(nested);
        assert.equal(real.get(nested[0].urn), "urn:pulumi:s::p::x:m:A::a");
        assert.equal(real.get(nested[1].urn), "urn:pulumi:s::p::x:m:A$x:m:B::a-b");
        assert.equal(real.get(nested[2].urn), "urn:pulumi:s::p::x:m:A$x:m:B$aws:s3/bucket:Bucket::a-b-logs");
        assert.notEqual(real.get(nested[2].urn), nested[2].urn, "the mock's URN is not the real one");
    });

    it("adds no prefix under the root stack", () => {
        assert.equal(realUrn("s", "p", STACK, "aws:kms/key:Key", "k"), "urn:pulumi:s::p::aws:kms/key:Key::k");
        assert.equal(realUrn("s", "p", undefined, "aws:kms/key:Key", "k"), "urn:pulumi:s::p::aws:kms/key:Key::k");
    });

    it("a grandchild moved under another middle component is caught, and an alias to its old parent resolves with the real rule", () => {
        const frozen = [...realUrns(nested).values()];
        const moved: UrnNode[] = [
            nested[0],
            { type: "x:m:C", name: "a-c", urn: "urn:pulumi:s::p::x:m:A$x:m:C::a-c", parentUrn: nested[0].urn },
            { type: "aws:s3/bucket:Bucket", name: "a-b-logs", urn: "urn:pulumi:s::p::x:m:C$aws:s3/bucket:Bucket::a-b-logs", parentUrn: "urn:pulumi:s::p::x:m:A$x:m:C::a-c" },
        ];
        const bare = compareFrozen(frozen, moved);
        assert.deepEqual(bare.gone, ["urn:pulumi:s::p::x:m:A$x:m:B::a-b", "urn:pulumi:s::p::x:m:A$x:m:B$aws:s3/bucket:Bucket::a-b-logs"]);
        // The alias names the old parent by its real URN (it no longer exists), as `aliases: [{ parent: ... }]` would.
        const aliased = moved.map((r, i) => (i === 2 ? { ...r, aliases: [{ parentUrn: "urn:pulumi:s::p::x:m:A$x:m:B::a-b" }] } : r));
        const withAlias = compareFrozen(frozen, aliased);
        assert.deepEqual(withAlias.gone, ["urn:pulumi:s::p::x:m:A$x:m:B::a-b"], "only the middle component itself (stateless) is gone");
        assert.deepEqual(withAlias.added, ["urn:pulumi:s::p::x:m:A$x:m:C::a-c"]);
    });

    it("children of an aliased parent inherit its old URNs, as the engine does", () => {
        const renamed: UrnNode[] = [
            { ...nested[0], name: "z", urn: "urn:pulumi:s::p::x:m:A::z", aliases: [{ name: "a" }] },
            { ...nested[1], parentUrn: "urn:pulumi:s::p::x:m:A::z" },
            nested[2],
        ];
        const candidates = urnCandidates(renamed);
        assert.ok(candidates.get(nested[1].urn)?.has("urn:pulumi:s::p::x:m:A$x:m:B::a-b"));
        assert.ok(candidates.get(nested[2].urn)?.has("urn:pulumi:s::p::x:m:A$x:m:B$aws:s3/bucket:Bucket::a-b-logs"));
    });
});

describe("the real engine's URNs of the program's resources", () => {
    it("dev: a service's ASG carries the web tier and the service component in its URN", async () => {
        const r = await run("dev");
        const asg = one(r, "aws:autoscaling/group:Group", "web-frontend-asg");
        assert.equal(
            realUrns(r.resources).get(asg.urn),
            "urn:pulumi:dev::ecomm::ecomm:web:WebTierComponent$ecomm:web:ServiceComponent$aws:autoscaling/group:Group::web-frontend-asg",
        );
        assert.equal(asg.urn, "urn:pulumi:dev::ecomm::ecomm:web:ServiceComponent$aws:autoscaling/group:Group::web-frontend-asg", "the mock's form, for contrast");
    });
});

describe("frozen real URNs of every resource of the golden stacks", () => {
    it("the freeze covers exactly the golden stacks", () => {
        assert.deepEqual(Object.keys(snapshot).sort(), Object.keys(GOLDEN_STACKS).sort());
    });

    for (const name of Object.keys(GOLDEN_STACKS)) {
        it(`${name}: every resource keeps its real URN or carries an alias to it`, async () => {
            const r = await runGolden(name);
            const { gone, added } = compareFrozen(snapshot[name], r.resources);
            assert.deepEqual(
                { gone, added },
                { gone: [], added: [] },
                `The real URNs of ${name} changed. On the next \`pulumi up\` Pulumi would DELETE each resource under its old URN and ` +
                    "create a new one (a new database, a new load balancer DNS name). If you renamed or moved it, add " +
                    "`aliases: [{ name: <old name>, parent: <old parent> }]` (or the old URN) to its options so state moves instead. " +
                    "If the change is deliberate (a new resource, or a replacement you intend), run `npm run snapshot:update` and commit the snapshot.",
            );
            assert.ok(frozenUrns(r).length >= 90, `${name} froze ${frozenUrns(r).length} URNs`);
        });
    }

    it("prod protects the database and its key from accidental deletion", async () => {
        const r = await run("prod");
        const protectedTypes = r.resources.filter((x) => x.protect).map((x) => x.type);
        assert.ok(protectedTypes.includes("aws:rds/instance:Instance"));
        assert.ok(protectedTypes.includes("aws:kms/key:Key"));
    });

    it("the freeze holds the database, keys, load balancer, log bucket, alert topic and VPC of prod, and the cluster and Aurora resources", () => {
        const types = (name: string) => new Set(snapshot[name].map(typeOfUrn));
        for (const t of ["aws:rds/instance:Instance", "aws:kms/key:Key", "aws:lb/loadBalancer:LoadBalancer", "aws:s3/bucket:Bucket", "aws:sns/topic:Topic", "awsx:ec2:Vpc"]) {
            assert.ok(types("prod").has(t), t);
        }
        assert.ok(types("prod-multi-az-cluster").has("aws:rds/cluster:Cluster"));
        assert.ok(types("prod-aurora").has("aws:rds/clusterInstance:ClusterInstance"));
        assert.ok(STATEFUL_TYPES.every((t) => Object.values(snapshot).some((urns) => urns.some((u) => typeOfUrn(u) === t))), "every stateful type is frozen somewhere");
    });
});
