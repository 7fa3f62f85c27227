/**
 * The app's artifacts: the pure rules (names S3 accepts, keys the boot script takes, the one read statement),
 * `ecomm:app`'s schema and its refusal of the storefront with MySQL, and the ArtifactComponent built directly
 * under the mock engine (the bucket's hardening, one object per service keyed by its hash, the exact read).
 */
import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PolicyResource } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { input, jsonInput, one, ofType, runComponent, type ComponentRun } from "./harness";
import { artifactReadStatement, artifactRefProblems, appPortProblem, bucketNameProblem, objectKeyProblem, ownArtifactRef, bucketArnOf } from "../Ecomm.Pulumi/app/artifact-plan";
import { ArtifactComponent, artifactComponentProblems, type ServiceArtifact } from "../Ecomm.Pulumi/app/artifact-component";
import { writeArtifacts } from "../Ecomm.Pulumi/app/artifact-files";
import { appSchema, storefrontEngineProblem } from "../Ecomm.Pulumi/app/config";
import { NamespaceConfigError, parseNamespace, strictObject } from "../Ecomm.Pulumi/config/parse";
import { buildFrontend, gzipDeterministic, tar, artifactKey, type Artifact } from "../storefront/build";
import { renderUserData } from "../Ecomm.Pulumi/userdata/render";
import { serviceLogGroupNames } from "../Ecomm.Pulumi/web/logs";
import { evaluatePolicies } from "../Ecomm.Policy/evaluate";

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

describe("artifact rules", () => {
    for (const [name, ok] of [
        ["ecomm-dev-artifacts-bucket-1a2b3c4", true],
        ["abc", true],
        ["ab", false],
        ["a".repeat(64), false],
        ["Ecomm", false],
        ["ecomm.artifacts", false],
        ["-ecomm", false],
        ["xn--ecomm", false],
        ["ecomm-s3alias", false],
        ["ecomm_artifacts", false],
    ] as const) {
        it(`bucket name ${name}: ${ok ? "accepted" : "refused"}`, () => assert.equal(bucketNameProblem(name) === undefined, ok, bucketNameProblem(name)));
    }
    for (const [key, ok] of [
        [`storefront/backend/${"a".repeat(64)}.tar.gz`, true],
        ["team/app-1.2.3.tar.gz", true],
        ["/leading", false],
        ["trailing/", false],
        ["a//b", false],
        ["a/../b", false],
        ['a"b', false],
        ["a b", false],
        ["a$(id)", false],
        ["x".repeat(1025), false],
    ] as const) {
        it(`object key ${key.slice(0, 40)}: ${ok ? "accepted" : "refused"}`, () => assert.equal(objectKeyProblem(key) === undefined, ok, objectKeyProblem(key)));
    }

    it("lists every problem of a reference, each naming its field", () => {
        assert.deepEqual(artifactRefProblems({ bucket: "Team", key: "/k", sha256: "abc", region: "mars" }, "ecomm:app.artifacts.backend"), [
            'ecomm:app.artifacts.backend.bucket "Team" must be lowercase letters, digits and hyphens, beginning and ending with a letter or digit (no dots)',
            'ecomm:app.artifacts.backend.key "/k" must be letters, digits and . _ - separated by single / (no leading or trailing /)',
            'ecomm:app.artifacts.backend.sha256 "abc" must be 64 lowercase hex digits',
            'ecomm:app.artifacts.backend.region "mars" must be an AWS region such as us-east-1',
        ]);
    });

    it("the app port is unprivileged and not the service's port", () => {
        assert.equal(appPortProblem(8080, 80), undefined);
        assert.match(appPortProblem(80) ?? "", /from 1024 to 65535/);
        assert.match(appPortProblem(8080, 8080) ?? "", /must differ from the service's port 8080/);
        assert.match(appPortProblem(80.5) ?? "", /whole number/);
    });

    it("the read statement is s3:GetObject on exactly one key", () => {
        assert.deepEqual(artifactReadStatement("arn:aws:s3:::b-1", "storefront/backend/x.tar.gz"), {
            Sid: "ReadOwnArtifact",
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::b-1/storefront/backend/x.tar.gz",
        });
        assert.equal(bucketArnOf("team-bucket", "aws-us-gov"), "arn:aws-us-gov:s3:::team-bucket");
        assert.deepEqual(ownArtifactRef({ bucket: "team-bucket", key: "k.tar.gz", sha256: "f".repeat(64) }, "eu-west-1"), { bucket: "team-bucket", key: "k.tar.gz", sha256: "f".repeat(64), region: "eu-west-1" });
    });
});

describe("ecomm:app", () => {
    const parse = (app?: unknown) =>
        parseNamespace(app === undefined ? {} : { "ecomm:app": JSON.stringify(app) }, {
            namespace: "ecomm",
            structuredKeys: new Set(["app"]),
            schema: () => strictObject({ app: appSchema() }),
            error: (problems) => new NamespaceConfigError("ecomm", problems),
        }).app;
    const problems = (app: unknown) => {
        try {
            parse(app);
        } catch (err) {
            assert.ok(err instanceof NamespaceConfigError, String(err));
            return err.problems.map((p) => `${p.key} = ${JSON.stringify(p.value)}: ${p.message}`);
        }
        return assert.fail("accepted");
    };
    const team = { bucket: "team-builds", key: "shop/backend-1.4.2.tar.gz", sha256: "c".repeat(64) };

    it("defaults to the storefront on port 8080", () => {
        assert.deepEqual(parse(), { source: "storefront", appPort: 8080 });
        assert.deepEqual(parse({}), { source: "storefront", appPort: 8080 });
    });

    it("takes a team's own artifact per service", () => {
        assert.deepEqual(parse({ source: "artifact", artifacts: { backend: team } }), { source: "artifact", artifacts: { backend: team }, appPort: 8080 });
    });

    it("refuses, naming each key", () => {
        assert.deepEqual(problems({ source: "docker" }), ['ecomm:app.source = "docker": must be one of: storefront | artifact | none']);
        assert.deepEqual(problems({ source: "artifact" }), ["ecomm:app.artifacts = undefined: source artifact needs ecomm:app.artifacts.frontend and/or ecomm:app.artifacts.backend ({ bucket, key, sha256 })"]);
        assert.deepEqual(problems({ artifacts: { backend: team } }), [`ecomm:app.artifacts = ${JSON.stringify({ backend: team })}: is used only with ecomm:app.source artifact (source is storefront)`]);
        assert.deepEqual(problems({ source: "artifact", artifacts: { backend: { ...team, sha256: "C".repeat(64), bucket: "Team" } } }), [
            'ecomm:app.artifacts.backend.bucket = "Team": must be lowercase letters, digits and hyphens, beginning and ending with a letter or digit (no dots)',
            `ecomm:app.artifacts.backend.sha256 = "${"C".repeat(64)}": must be the object's sha256, 64 lowercase hex digits`,
        ]);
        assert.deepEqual(problems({ appPort: 443 }), ["ecomm:app.appPort = 443: must be a whole number from 1024 to 65535 (the app runs without privileges, on loopback behind nginx)"]);
        assert.match(problems({ source: "artifact", artifacts: { worker: team } })[0], /^ecomm:app\.artifacts\.worker = .*unknown key\(s\) "worker"; allowed keys: frontend, backend/);
    });

    it("refuses the storefront with MySQL, naming ecomm:database.engine; the team's own app may use it", () => {
        assert.match(storefrontEngineProblem("storefront", "mysql") ?? "", /speaks PostgreSQL only: set ecomm:database\.engine to postgres/);
        assert.equal(storefrontEngineProblem("storefront", "postgres"), undefined);
        assert.equal(storefrontEngineProblem("artifact", "mysql"), undefined);
        assert.equal(storefrontEngineProblem("none", "mysql"), undefined);
    });
});

/** A small backend artifact (server.js + manifest) made the way storefront/build.ts packs one. */
function backendArtifact(source: string): Artifact {
    const bytes = gzipDeterministic(tar([{ path: "server.js", data: Buffer.from(source) }]));
    const hash = sha(bytes);
    return { service: "backend", bytes, sha256: hash, key: artifactKey("backend", hash), manifest: { name: "ecomm-storefront", service: "backend", files: [] } };
}

describe("ArtifactComponent", () => {
    let dir: string;
    let files: ServiceArtifact[];
    let frontend: Artifact;
    let backend: Artifact;
    let r: ComponentRun<{ bucketName: string; bucketArn: string; backendRef: unknown; frontendRef: unknown; backendRead: unknown; frontendRead: unknown }>;
    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-artifacts-"));
        frontend = buildFrontend();
        backend = backendArtifact("require('http').createServer().listen(process.env.PORT);\n");
        files = writeArtifacts([frontend, backend], dir).map((f) => ({ ...f, file: path.join(dir, f.file) }));
        r = await runComponent(() => {
            const c = new ArtifactComponent("app-artifacts", { region: "us-east-1", artifacts: files, forceDestroy: true, retentionDays: 30 });
            return {
                bucketName: c.bucketName,
                bucketArn: c.bucketArn,
                backendRef: c.artifacts.backend,
                frontendRef: c.artifacts.frontend,
                backendRead: c.readStatement("backend"),
                frontendRead: c.readStatement("frontend"),
            };
        });
    });

    it("writes each artifact once, named by its hash, relative to the project directory", () => {
        assert.deepEqual(
            writeArtifacts([frontend, backend], dir).map((f) => f.file),
            [`storefront/dist/frontend-${frontend.sha256}.tar.gz`, `storefront/dist/backend-${backend.sha256}.tar.gz`],
        );
        for (const f of files) assert.equal(sha(fs.readFileSync(f.file)), f.sha256);
    });

    it("uploads one object per service, keyed by its content hash, encrypted, with S3's own SHA-256 check", async () => {
        const objects = ofType(r, "aws:s3/bucketObjectv2:BucketObjectv2");
        assert.deepEqual(objects.map((o) => o.name).sort(), ["app-artifacts-backend", "app-artifacts-frontend"]);
        const bucket = one(r, "aws:s3/bucket:Bucket", "app-artifacts-bucket");
        for (const [o, a] of [
            [one(r, "aws:s3/bucketObjectv2:BucketObjectv2", "app-artifacts-backend"), backend],
            [one(r, "aws:s3/bucketObjectv2:BucketObjectv2", "app-artifacts-frontend"), frontend],
        ] as const) {
            assert.equal(input(o, "key"), `storefront/${a.service}/${a.sha256}.tar.gz`);
            assert.equal(input(o, "bucket"), bucket.id);
            assert.equal(input(o, "serverSideEncryption"), "AES256");
            assert.equal(input(o, "checksumAlgorithm"), "SHA256");
            assert.equal(input(o, "contentType"), "application/gzip");
            assert.deepEqual(input(o, "tags"), { Service: a.service, Sha256: a.sha256 });
            assert.deepEqual(input(o, "overrideProvider"), { defaultTags: { tags: {} } });
            // The mock engine records the FileAsset itself; its path is a promise.
            const source = input<pulumi.asset.FileAsset>(o, "source");
            assert.ok(source instanceof pulumi.asset.FileAsset, "a file asset (binary-safe), not a string");
            assert.equal(sha(fs.readFileSync(await source.path)), a.sha256, "the uploaded file is the artifact");
        }
    });

    it("hardens the artifact bucket: ACLs off, public access blocked, SSE-S3, versioned, TLS only, access-logged", () => {
        const bucket = one(r, "aws:s3/bucket:Bucket", "app-artifacts-bucket");
        const access = one(r, "aws:s3/bucket:Bucket", "app-artifacts-access");
        for (const logical of ["app-artifacts-bucket", "app-artifacts-access"]) {
            const b = one(r, "aws:s3/bucket:Bucket", logical);
            assert.equal(input(b, "forceDestroy"), true);
            assert.deepEqual(input(one(r, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", `${logical}-ownership`), "rule"), { objectOwnership: "BucketOwnerEnforced" });
            const block = one(r, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${logical}-public-block`);
            assert.deepEqual([input(block, "blockPublicAcls"), input(block, "blockPublicPolicy"), input(block, "ignorePublicAcls"), input(block, "restrictPublicBuckets")], [true, true, true, true]);
            const sse = one(r, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${logical}-encryption`);
            assert.deepEqual(input(sse, "rules"), [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
            const policy = jsonInput<{ Statement: { Sid: string; Effect: string; Condition?: unknown; Resource: unknown }[] }>(one(r, "aws:s3/bucketPolicy:BucketPolicy", `${logical}-policy`), "policy");
            const deny = policy.Statement.find((s) => s.Sid === "DenyInsecureTransport");
            assert.deepEqual(deny?.Condition, { Bool: { "aws:SecureTransport": "false" } });
            assert.deepEqual(deny?.Resource, [b.state.arn, `${String(b.state.arn)}/*`]);
        }
        const versioning = one(r, "aws:s3/bucketVersioning:BucketVersioning", "app-artifacts-versioning");
        assert.equal(input(versioning, "bucket"), bucket.id);
        assert.deepEqual(input(versioning, "versioningConfiguration"), { status: "Enabled" });
        const logging = one(r, "aws:s3/bucketLogging:BucketLogging", "app-artifacts-logging");
        assert.deepEqual([input(logging, "bucket"), input(logging, "targetBucket"), input(logging, "targetPrefix")], [bucket.id, access.id, "s3-access/"]);
        const accessPolicy = jsonInput<{ Statement: { Sid: string; Principal?: unknown; Condition?: unknown }[] }>(one(r, "aws:s3/bucketPolicy:BucketPolicy", "app-artifacts-access-policy"), "policy");
        assert.deepEqual(accessPolicy.Statement.find((s) => s.Sid === "S3ServerAccessLogs")?.Condition, { ArnLike: { "aws:SourceArn": bucket.state.arn }, StringEquals: { "aws:SourceAccount": "123456789012" } });
        assert.deepEqual(input(one(r, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "app-artifacts-bucket-lifecycle"), "rules"), [
            { id: "expire-old", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
        ]);
        assert.deepEqual(input(one(r, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "app-artifacts-access-lifecycle"), "rules"), [
            { id: "expire-old", status: "Enabled", filter: {}, expiration: { days: 30 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
        ]);
    });

    it("passes the policy pack's S3.9 (every bucket logs, or is a log target)", async () => {
        const resources = r.resources.map((x) => ({ type: x.type, name: x.name, urn: x.urn, props: { ...x.inputs, ...x.state }, opts: {}, isComponent: !x.custom }) as unknown as PolicyResource);
        const violations = await evaluatePolicies(resources, {});
        assert.deepEqual(violations.map((v) => `${v.policy} ${v.resource}: ${v.message}`), []);
    });

    it("gives each service's role exactly its own key to read", () => {
        const arn = r.value.bucketArn;
        assert.equal(arn, `arn:aws:s3:::${r.value.bucketName}`);
        assert.deepEqual(r.value.backendRead, { Sid: "ReadOwnArtifact", Effect: "Allow", Action: "s3:GetObject", Resource: `${arn}/storefront/backend/${backend.sha256}.tar.gz` });
        assert.deepEqual(r.value.frontendRead, { Sid: "ReadOwnArtifact", Effect: "Allow", Action: "s3:GetObject", Resource: `${arn}/storefront/frontend/${frontend.sha256}.tar.gz` });
        assert.ok(!JSON.stringify([r.value.backendRead, r.value.frontendRead]).includes("*"), "no wildcard");
    });

    it("exposes each service's artifact as the user data takes it", () => {
        assert.deepEqual(r.value.backendRef, { bucket: r.value.bucketName, key: backend.key, sha256: backend.sha256, region: "us-east-1" });
        assert.deepEqual(r.value.frontendRef, { bucket: r.value.bucketName, key: frontend.key, sha256: frontend.sha256, region: "us-east-1" });
    });

    it("parents every child under the component, named with its prefix", () => {
        const component = one(r, "ecomm:app:ArtifactComponent", "app-artifacts");
        for (const c of r.resources.filter((x) => x.custom)) {
            assert.equal(c.parentUrn, component.urn, c.name);
            assert.ok(c.name.startsWith("app-artifacts-"), c.name);
        }
    });

    it("refuses, all at once: a file whose bytes are not its hash, a key without the hash, a service twice, a bad region", () => {
        const good = files[1];
        const problems = artifactComponentProblems({
            region: "moon-1",
            artifacts: [
                { ...good, sha256: "0".repeat(64), key: `storefront/backend/${"0".repeat(64)}.tar.gz` },
                { ...good, key: "storefront/backend/latest.tar.gz" },
                { ...good, service: "frontend", file: path.join(dir, "missing.tar.gz") },
            ],
        });
        assert.deepEqual(problems, [
            'region "moon-1" must be an AWS region such as us-east-1',
            `backend: file "${good.file}" has sha256 ${good.sha256}, not ${"0".repeat(64)}`,
            'service "backend" has more than one artifact',
            'backend: key "storefront/backend/latest.tar.gz" must contain its sha256 (a new build must never overwrite an old key)',
            `frontend: file "${path.join(dir, "missing.tar.gz")}" cannot be read`,
        ]);
    });
});

describe("the user data follows the artifact", () => {
    const render = (a: Artifact) =>
        renderUserData({
            role: "backend",
            port: 80,
            healthCheckPath: "/api/health",
            loadBalancerIdleTimeoutSeconds: 60,
            logGroups: serviceLogGroupNames("/ecomm/dev/backend"),
            database: { parameterPath: "/ecomm/dev/database", region: "us-east-1" },
            artifact: { bucket: "app-artifacts-bucket-1a2b3c4", key: a.key, sha256: a.sha256, region: "us-east-1" },
        });

    it("the same build renders the same script, a different build a different one naming its key and hash", () => {
        const one_ = backendArtifact("console.log(1);\n");
        const again = backendArtifact("console.log(1);\n");
        const other = backendArtifact("console.log(2);\n");
        assert.equal(render(one_), render(again));
        assert.notEqual(render(one_), render(other));
        assert.match(render(other), new RegExp(`readonly ARTIFACT_KEY="storefront/backend/${other.sha256}\\.tar\\.gz"`));
        assert.match(render(other), new RegExp(`readonly ARTIFACT_SHA256="${other.sha256}"`));
    });

    it("refuses an artifact reference that could break the script, and an app port nginx holds", () => {
        const a = backendArtifact("x");
        const base = { role: "backend" as const, port: 80, healthCheckPath: "/api/health", loadBalancerIdleTimeoutSeconds: 60, logGroups: serviceLogGroupNames("/x") };
        assert.throws(() => renderUserData({ ...base, artifact: { bucket: "b-1", key: 'k"; rm -rf /', sha256: a.sha256, region: "us-east-1" } }), /artifact\.key/);
        assert.throws(() => renderUserData({ ...base, artifact: { bucket: "b-1", key: a.key, sha256: "nope", region: "us-east-1" } }), /artifact\.sha256 "nope"/);
        assert.throws(() => renderUserData({ ...base, appPort: 80, artifact: { bucket: "b-1", key: a.key, sha256: a.sha256, region: "us-east-1" } }), /appPort 80 must be a whole number from 1024/);
        assert.throws(() => renderUserData({ ...base, port: 8080, artifact: { bucket: "b-1", key: a.key, sha256: a.sha256, region: "us-east-1" } }), /appPort 8080 must differ from the service's port 8080/);
    });
});

describe("the offline engine's S3 object", () => {
    it("answers an upload with its version, ETag and S3's SHA-256 of the body", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-artifacts-"));
        const a = backendArtifact("console.log('mock');\n");
        const files = writeArtifacts([a], dir).map((f) => ({ ...f, file: path.join(dir, f.file) }));
        const r = await runComponent(() => ({ c: new ArtifactComponent("art", { region: "us-east-1", artifacts: files }).objects.backend.checksumSha256 }));
        const o = one(r, "aws:s3/bucketObjectv2:BucketObjectv2", "art-backend");
        assert.equal(o.state.checksumSha256, Buffer.from(a.sha256, "hex").toString("base64"));
        assert.equal(r.value.c, o.state.checksumSha256);
        assert.match(String(o.state.versionId), /^[0-9a-f]{32}$/);
        assert.equal(o.id, a.key);
    });
});
