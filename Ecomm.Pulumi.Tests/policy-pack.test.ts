/**
 * The real policy pack process, started the way the Pulumi CLI starts it (node running Ecomm.Policy/index.ts
 * with the pack's folder as the working directory; it prints its gRPC port), asked over the analyzer
 * protocol what `pulumi policy publish` asks: its name and version. Then configured with each stack's
 * config and asked to analyze a violating resource, as the engine does during a preview.
 */
import { after, before, describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { PROJECT_ROOT } from "../tools/offline/run";
import { effectiveLevel } from "../Ecomm.Policy/evaluate";
import { POLICY_PACK_NAME, POLICY_STACKS, policyPackConfigFile, policyPackConfigFor, renderPolicyPackConfig } from "../Ecomm.Policy/pack";
import { runDeploy } from "./deploy-harness";

const PACK_DIR = path.join(PROJECT_ROOT, "Ecomm.Policy");
const packageJson = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8")) as { name: string; version: string };
const LEVELS = analyzerProto.EnforcementLevel;
const LEVEL_NAMES: Record<number, string> = { [LEVELS.ADVISORY]: "advisory", [LEVELS.MANDATORY]: "mandatory", [LEVELS.DISABLED]: "disabled", [LEVELS.REMEDIATE]: "remediate" };
const LEVEL_CODES: Record<string, number> = { advisory: LEVELS.ADVISORY, mandatory: LEVELS.MANDATORY, disabled: LEVELS.DISABLED, remediate: LEVELS.REMEDIATE };

type Client = InstanceType<typeof analyzerRpc.AnalyzerClient>;
const call = <Req, Res>(fn: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => void, req: Req) =>
    new Promise<Res>((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));

describe("the policy pack process (as the CLI runs it)", () => {
    let child: ChildProcess | undefined;
    let client: Client | undefined;
    let policyNames: string[] = [];

    before(async () => {
        child = spawn(process.execPath, [path.join(PROJECT_ROOT, "scripts", "run-ts.cjs"), "index.ts"], { cwd: PACK_DIR, stdio: ["ignore", "pipe", "pipe"] });
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            let errText = "";
            const timer = setTimeout(() => reject(new Error(`the pack printed no port in 30 s; stderr: ${errText}`)), 30_000);
            child?.stdout?.on("data", (d: Buffer) => {
                out += d.toString();
                const m = /^(\d+)\s*$/m.exec(out);
                if (m) {
                    clearTimeout(timer);
                    resolve(Number(m[1]));
                }
            });
            child?.stderr?.on("data", (d: Buffer) => (errText += d.toString()));
            child?.on("exit", (code) => reject(new Error(`the pack exited with ${code}: ${errText}`)));
        });
        client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });
    after(() => {
        client?.close();
        if (child?.pid !== undefined && child.exitCode === null) child.kill("SIGTERM");
    });
    const c = () => client ?? assert.fail("no client");

    it("announces the name and version publishing uses: POLICY_PACK_NAME and Ecomm.Policy/package.json's version", async () => {
        const info = await call<Empty, analyzerProto.AnalyzerInfo>(c().getAnalyzerInfo.bind(c()), new Empty());
        assert.equal(info.getName(), POLICY_PACK_NAME);
        assert.equal(info.getName(), packageJson.name);
        assert.equal(info.getVersion(), packageJson.version);
        policyNames = info.getPoliciesList().map((p) => p.getName());
        assert.ok(policyNames.length >= 20);
        for (const p of info.getPoliciesList()) assert.equal(LEVEL_NAMES[p.getEnforcementlevel()], "mandatory", p.getName());
    });

    it("the policy groups the deploy project registers reference that same name", async () => {
        const deploy = await runDeploy();
        const packs = deploy.resources.filter((r) => r.type === "pulumiservice:index:PolicyGroup").flatMap((r) => r.inputs.policyPacks as { name: string; versionTag?: string }[]);
        assert.equal(packs.length, 2);
        for (const p of packs) {
            assert.equal(p.name, POLICY_PACK_NAME);
            assert.equal(p.versionTag, packageJson.version);
        }
    });

    /** Configures the pack as the CLI does (the file's `all` expanded per policy), then analyzes one resource. */
    async function analyzeWith(stack: string, type: string, props: Record<string, unknown>): Promise<Record<string, string>> {
        const request = new analyzerProto.ConfigureAnalyzerRequest();
        const config = policyPackConfigFor(stack);
        for (const name of policyNames) {
            const pc = new analyzerProto.PolicyConfig();
            pc.setEnforcementlevel(LEVEL_CODES[effectiveLevel(config, { name })]);
            pc.setProperties(Struct.fromJavaScript({}));
            request.getPolicyconfigMap().set(name, pc);
        }
        await call(c().configure.bind(c()), request);
        const analyze = new analyzerProto.AnalyzeRequest();
        analyze.setType(type);
        analyze.setName("db");
        analyze.setUrn(`urn:pulumi:${stack}::ecomm::${type}::db`);
        analyze.setProperties(Struct.fromJavaScript(props as Record<string, never>));
        analyze.setOptions(new analyzerProto.AnalyzerResourceOptions()); // the engine always sends options
        const res = await call<analyzerProto.AnalyzeRequest, analyzerProto.AnalyzeResponse>(c().analyze.bind(c()), analyze);
        return Object.fromEntries(res.getDiagnosticsList().map((d) => [d.getPolicyname(), LEVEL_NAMES[d.getEnforcementlevel()]]));
    }

    const singleAzPublicDb = {
        storageEncrypted: true,
        publiclyAccessible: true,
        multiAz: false,
        backupRetentionPeriod: 14,
        deletionProtection: true,
        iamDatabaseAuthenticationEnabled: true,
        enabledCloudwatchLogsExports: ["postgresql"],
    };

    it("with dev's config, a single-AZ database is advisory and a public one still mandatory", async () => {
        assert.deepEqual(await analyzeWith("dev", "aws:rds/instance:Instance", singleAzPublicDb), { "rds-5-multi-az": "advisory", "rds-2-not-publicly-accessible": "mandatory" });
    });

    it("with prod's config, both are mandatory", async () => {
        assert.deepEqual(await analyzeWith("prod", "aws:rds/instance:Instance", singleAzPublicDb), { "rds-5-multi-az": "mandatory", "rds-2-not-publicly-accessible": "mandatory" });
    });
});

describe("the config files the CLI and pulumi/actions read", () => {
    for (const stack of POLICY_STACKS) {
        it(`${policyPackConfigFile(stack)} is exactly policyPackConfigFor("${stack}")`, () => {
            assert.equal(fs.readFileSync(path.join(PROJECT_ROOT, policyPackConfigFile(stack)), "utf8"), renderPolicyPackConfig(stack));
        });
    }
    it("dev relaxes exactly the five deliberate trade-offs and names only policies the pack has", async () => {
        const { allPolicies } = await import("../Ecomm.Policy/policies");
        const names = new Set(allPolicies.map((p) => p.name));
        const dev = policyPackConfigFor("dev");
        const relaxed = Object.entries(dev).filter(([k]) => k !== "all");
        assert.equal(relaxed.length, 5);
        for (const [name, level] of relaxed) {
            assert.ok(names.has(name), `${name} is not a policy of the pack`);
            assert.equal(level, "advisory");
        }
        assert.equal(dev.all, "mandatory");
        assert.deepEqual(policyPackConfigFor("prod"), { all: "mandatory" });
        assert.deepEqual(policyPackConfigFor("staging"), { all: "mandatory" }, "an unknown stack gets the strictest config");
    });
});
