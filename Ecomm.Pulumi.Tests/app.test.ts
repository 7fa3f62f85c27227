/**
 * The app wired into the real stacks: the storefront's artifacts uploaded to the program's bucket, each
 * service's role reading exactly its own object, user data that fetches and starts it, launch templates that
 * follow the build, a team's own artifact on the same path, and the refusals of `ecomm:app`.
 */
import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { input, jsonInput, one, ofType, patched, refused, run, type StackRun } from "./harness";
import { buildStorefront, type StorefrontBuild } from "../storefront/build";

const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const userData = (r: StackRun, role: string) => Buffer.from(input<string>(one(r, LT, `web-${role}-lt`), "userData"), "base64").toString("utf8");

let build: StorefrontBuild;

for (const stack of ["dev", "prod"] as const) {
    describe(`the storefront shipped by the ${stack} stack`, () => {
        let r: StackRun;
        before(async () => {
            build = await buildStorefront();
            r = await run(stack);
        });

        it("uploads this build's two artifacts, keyed by their hashes, to the program's bucket", () => {
            const bucket = one(r, "aws:s3/bucket:Bucket", "app-artifacts-bucket");
            assert.deepEqual(
                ofType(r, OBJECT).map((o) => [o.name, input(o, "bucket"), input(o, "key")]).sort(),
                [
                    ["app-artifacts-backend", bucket.id, `storefront/backend/${build.backend.sha256}.tar.gz`],
                    ["app-artifacts-frontend", bucket.id, `storefront/frontend/${build.frontend.sha256}.tar.gz`],
                ],
            );
            assert.equal(input(bucket, "forceDestroy"), stack === "dev", "emptied on destroy in dev only");
        });

        for (const role of ["frontend", "backend"] as const) {
            it(`lets the ${role} role read exactly its own artifact, and nothing else of the bucket`, () => {
                const roleName = one(r, "aws:iam/role:Role", `web-${role}-role`).state.name;
                const policy = one(r, ROLE_POLICY, `web-${role}-artifact-policy`);
                assert.equal(input(policy, "role"), roleName);
                const bucketArn = String(one(r, "aws:s3/bucket:Bucket", "app-artifacts-bucket").state.arn);
                assert.deepEqual(jsonInput<{ Statement: unknown[] }>(policy, "policy").Statement, [
                    { Sid: "ReadOwnArtifact", Effect: "Allow", Action: "s3:GetObject", Resource: `${bucketArn}/${build[role].key}` },
                ]);
                for (const p of ofType(r, ROLE_POLICY).filter((x) => input(x, "role") === roleName && x !== policy)) {
                    assert.ok(!String(input(p, "policy")).includes(bucketArn), `${p.name} grants nothing of the artifact bucket`);
                }
                const profile = one(r, "aws:iam/instanceProfile:InstanceProfile", `web-${role}-profile`);
                assert.ok(profile.dependencies?.includes(policy.urn), "instances boot only once the read exists");
            });

            it(`boots ${role} instances that fetch, check and run this build`, () => {
                const script = userData(r, role);
                const bucketName = String(one(r, "aws:s3/bucket:Bucket", "app-artifacts-bucket").state.bucket);
                assert.match(script, new RegExp(`readonly ARTIFACT_BUCKET="${bucketName}"`));
                assert.match(script, new RegExp(`readonly ARTIFACT_KEY="storefront/${role}/${build[role].sha256}\\.tar\\.gz"`));
                assert.match(script, new RegExp(`readonly ARTIFACT_SHA256="${build[role].sha256}"`));
                assert.match(script, /readonly ARTIFACT_REGION="us-east-1"/);
                assert.match(script, new RegExp(`readonly APP_PORT="${role === "backend" ? "8080" : ""}"`));
                assert.ok(Buffer.byteLength(script) <= 16 * 1024, `${Buffer.byteLength(script)} bytes`);
            });
        }
    });
}

describe("launch templates follow the app build", () => {
    const team = (sha: string) => ({ source: "artifact", artifacts: { backend: { bucket: "team-builds", key: `shop/backend-${sha.slice(0, 12)}.tar.gz`, sha256: sha } } });

    it("the same build gives the same launch templates", async () => {
        const [a, b] = [await run("dev"), await run("dev")];
        for (const role of ["frontend", "backend"]) assert.equal(input(one(a, LT, `web-${role}-lt`), "userData"), input(one(b, LT, `web-${role}-lt`), "userData"), role);
    });

    it("a different build gives a different backend launch template, naming its key and hash; the frontend's is untouched", async () => {
        const [a, b] = [await run("dev", { "ecomm:app": team("a".repeat(64)) }), await run("dev", { "ecomm:app": team("b".repeat(64)) })];
        assert.notEqual(input(one(a, LT, "web-backend-lt"), "userData"), input(one(b, LT, "web-backend-lt"), "userData"));
        assert.equal(input(one(a, LT, "web-frontend-lt"), "userData"), input(one(b, LT, "web-frontend-lt"), "userData"));
        assert.match(userData(b, "backend"), new RegExp(`readonly ARTIFACT_SHA256="${"b".repeat(64)}"`));
    });

    it("a team's own artifact takes the same path: its object named in the user data, its role reading exactly that key, no program bucket", async () => {
        const r = await run("dev", { "ecomm:app": team("c".repeat(64)) });
        assert.equal(ofType(r, "ecomm:app:ArtifactComponent").length, 0);
        assert.equal(ofType(r, OBJECT).length, 0);
        assert.match(userData(r, "backend"), /readonly ARTIFACT_BUCKET="team-builds"/);
        assert.match(userData(r, "backend"), /readonly ARTIFACT_KEY="shop\/backend-cccccccccccc\.tar\.gz"/);
        assert.deepEqual(jsonInput<{ Statement: unknown[] }>(one(r, ROLE_POLICY, "web-backend-artifact-policy"), "policy").Statement, [
            { Sid: "ReadOwnArtifact", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::team-builds/shop/backend-cccccccccccc.tar.gz" },
        ]);
        // The frontend has no artifact of the team's: placeholder pages, no read.
        assert.match(userData(r, "frontend"), /readonly ARTIFACT_KEY=""/);
        assert.equal(ofType(r, ROLE_POLICY).filter((p) => p.name === "web-frontend-artifact-policy").length, 0);
    });

    it("source none ships nothing: placeholder pages, no bucket, no read", async () => {
        const r = await run("dev", { "ecomm:app": { source: "none" } });
        assert.equal(ofType(r, "ecomm:app:ArtifactComponent").length, 0);
        assert.equal(ofType(r, ROLE_POLICY).filter((p) => p.name.endsWith("-artifact-policy")).length, 0);
        for (const role of ["frontend", "backend"]) assert.match(userData(r, role), /readonly ARTIFACT_KEY=""/);
    });
});

describe("ecomm:app refusals in a stack", () => {
    it("refuses the storefront with MySQL, naming ecomm:database.engine", async () => {
        const err = await refused("dev", patched("dev", "ecomm:database", { engine: "mysql" }));
        assert.match(err.message, /ecomm:database\.engine = "mysql": the storefront \(ecomm:app\.source storefront, the default\) speaks PostgreSQL only/);
    });

    it("takes MySQL with a team's own app", async () => {
        const r = await run("dev", { ...patched("dev", "ecomm:database", { engine: "mysql", engineVersion: "8.4" }), "ecomm:app": { source: "none" } });
        assert.equal(input(one(r, "aws:rds/instance:Instance"), "engine"), "mysql");
    });

    it("refuses an app port equal to the backend's, naming ecomm:app.appPort", async () => {
        const err = await refused("dev", { "ecomm:app": { appPort: 8080 }, ...patched("dev", "ecomm:backend", { port: 8080 }) });
        assert.match(err.message, /ecomm:app\.appPort = 8080: must differ from ecomm:backend\.port 8080/);
    });
});
