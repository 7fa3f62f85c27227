import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { input, jsonInput, one, ofType, patched, refused, run, type RecordedResource, OWN_APP, type StackRun } from "./harness";

const INSTANCE = "aws:rds/instance:Instance";
const CLUSTER = "aws:rds/cluster:Cluster";
const CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const PARAMS = "aws:rds/parameterGroup:ParameterGroup";
const CLUSTER_PARAMS = "aws:rds/clusterParameterGroup:ClusterParameterGroup";
const SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const KEY = "aws:kms/key:Key";
const ROLE = "aws:iam/role:Role";
const REPLICATION = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication";

interface Shape {
    readonly title: string;
    readonly stack: "dev" | "prod";
    readonly config?: Record<string, unknown>;
    readonly mode: "single-az" | "multi-az-instance" | "multi-az-cluster" | "aurora";
    readonly engine: "postgres" | "mysql" | "aurora-postgresql" | "aurora-mysql";
    readonly family: string;
    readonly tls: { name: string; value: string };
    readonly retention: number;
    /** DB instances the program itself creates (Aurora cluster instances). */
    readonly clusterInstances?: number;
    readonly port: number;
    readonly performanceInsights: boolean;
}

const SHAPES: Shape[] = [
    { title: "dev single-az postgres (stack file)", stack: "dev", mode: "single-az", engine: "postgres", family: "postgres17", tls: { name: "rds.force_ssl", value: "1" }, retention: 1, port: 5432, performanceInsights: true },
    { title: "prod multi-az-instance postgres (stack file)", stack: "prod", mode: "multi-az-instance", engine: "postgres", family: "postgres17", tls: { name: "rds.force_ssl", value: "1" }, retention: 14, port: 5432, performanceInsights: true },
    {
        title: "dev multi-az-instance mysql on db.t4g.micro",
        stack: "dev",
        config: { ...patched("dev", "ecomm:database", { mode: "multi-az-instance", engine: "mysql", engineVersion: "8.4" }), ...OWN_APP },
        mode: "multi-az-instance",
        engine: "mysql",
        family: "mysql8.4",
        tls: { name: "require_secure_transport", value: "1" },
        retention: 1,
        port: 3306,
        performanceInsights: false,
    },
    {
        title: "dev multi-az-cluster postgres",
        stack: "dev",
        config: {
            ...patched("dev", "ecomm:network", { availabilityZones: 3 }),
            ...patched("dev", "ecomm:database", { mode: "multi-az-cluster", instanceClass: "db.c6gd.medium", engineVersion: "16", allocatedStorageGb: 400, maxAllocatedStorageGb: 400 }),
        },
        mode: "multi-az-cluster",
        engine: "postgres",
        family: "postgres16",
        tls: { name: "rds.force_ssl", value: "1" },
        retention: 1,
        port: 5432,
        performanceInsights: true,
    },
    {
        title: "prod multi-az-cluster mysql",
        stack: "prod",
        config: { ...patched("prod", "ecomm:database", { mode: "multi-az-cluster", engine: "mysql", engineVersion: "8.0", instanceClass: "db.m6gd.large", allocatedStorageGb: 400 }), ...OWN_APP },
        mode: "multi-az-cluster",
        engine: "mysql",
        family: "mysql8.0",
        tls: { name: "require_secure_transport", value: "1" },
        retention: 14,
        port: 3306,
        performanceInsights: true,
    },
    {
        title: "dev aurora postgres",
        stack: "dev",
        config: patched("dev", "ecomm:database", { mode: "aurora", engineVersion: "16", instanceClass: "db.t4g.medium" }),
        mode: "aurora",
        engine: "aurora-postgresql",
        family: "aurora-postgresql16",
        tls: { name: "rds.force_ssl", value: "1" },
        retention: 1,
        clusterInstances: 2,
        port: 5432,
        performanceInsights: true,
    },
    {
        title: "prod aurora mysql with two readers",
        stack: "prod",
        config: { ...patched("prod", "ecomm:database", { mode: "aurora", engine: "mysql", engineVersion: "8.0", instanceClass: "db.r7g.large", readerCount: 2 }), ...OWN_APP },
        mode: "aurora",
        engine: "aurora-mysql",
        family: "aurora-mysql8.0",
        tls: { name: "require_secure_transport", value: "ON" },
        retention: 14,
        clusterInstances: 3,
        port: 3306,
        performanceInsights: true,
    },
];

const runs: StackRun[] = [];

for (const shape of SHAPES) {
    const prod = shape.stack === "prod";
    const instanceMode = shape.mode === "single-az" || shape.mode === "multi-az-instance";
    describe(`DatabaseComponent: ${shape.title}`, () => {
        let r: StackRun;
        let db: RecordedResource;
        let key: RecordedResource;
        before(async () => {
            r = await run(shape.stack, shape.config);
            runs.push(r);
            db = one(r, instanceMode ? INSTANCE : CLUSTER);
            key = one(r, KEY, "database-key");
        });

        it("creates the mode's resources and nothing of the other modes", () => {
            assert.equal(ofType(r, INSTANCE).length, instanceMode ? 1 : 0);
            assert.equal(ofType(r, CLUSTER).length, instanceMode ? 0 : 1);
            assert.equal(ofType(r, CLUSTER_INSTANCE).length, shape.clusterInstances ?? 0);
            assert.equal(ofType(r, PARAMS).length, instanceMode ? 1 : 0);
            assert.equal(ofType(r, CLUSTER_PARAMS).length, instanceMode ? 0 : 1);
            assert.equal(ofType(r, SUBNET_GROUP).length, 1);
            assert.equal(ofType(r, "aws:kms/alias:Alias").length, 1);
            assert.equal(input(db, "engine"), shape.engine);
            assert.equal(r.outputs.dbMode, shape.mode);
            assert.equal(r.outputs.dbEngine, shape.engine);
        });

        it("gets the standby arrangement of its mode", () => {
            if (instanceMode) {
                assert.equal(input(db, "multiAz"), shape.mode === "multi-az-instance");
                assert.equal(input(db, "publiclyAccessible"), false);
                assert.equal(input(db, "storageType"), "gp3");
                assert.equal(input(db, "maxAllocatedStorage"), prod ? 500 : 100);
            } else if (shape.mode === "multi-az-cluster") {
                assert.match(input<string>(db, "dbClusterInstanceClass"), /^db\.(c6gd|m6gd)\./);
                assert.equal(input(db, "storageType"), "gp3");
                assert.equal(input(db, "allocatedStorage"), 400);
                assert.equal(input(db, "iops"), 12000);
                assert.equal(input(db, "maxAllocatedStorage"), undefined);
                assert.deepEqual(r.outputs.dbInstanceIdentifiers, (db.state.clusterMembers as string[]));
                assert.equal((r.outputs.dbInstanceIdentifiers as string[]).length, 3);
            } else {
                assert.equal(input(db, "allocatedStorage"), undefined);
                assert.equal(input(db, "storageType"), undefined);
                const members = ofType(r, CLUSTER_INSTANCE);
                const azs = members.map((m) => input<string>(m, "availabilityZone"));
                assert.equal(new Set(azs).size, members.length, `cluster instances must be in distinct AZs: ${azs.join(", ")}`);
                assert.deepEqual(azs, (r.outputs.availabilityZones as string[]).slice(0, members.length));
                for (const m of members) {
                    assert.equal(input(m, "clusterIdentifier"), db.id);
                    assert.equal(input(m, "publiclyAccessible"), false);
                    assert.equal(input(m, "engine"), shape.engine);
                }
                assert.equal(input(one(r, CLUSTER_INSTANCE, "database-writer"), "promotionTier"), 0);
                assert.deepEqual(r.outputs.dbInstanceIdentifiers, members.map((m) => m.id));
                assert.equal(r.outputs.dbClusterIdentifier, db.id);
            }
        });

        it("lives in the isolated subnets behind its own security group, open only to client groups on the port", () => {
            const subnets = one(r, SUBNET_GROUP);
            assert.deepEqual(input(subnets, "subnetIds"), r.outputs.isolatedSubnetIds);
            assert.equal(input(db, "dbSubnetGroupName"), subnets.state.name);
            const sg = one(r, SG, "database-sg");
            assert.equal(input(sg, "vpcId"), r.outputs.vpcId);
            assert.deepEqual(input(db, "vpcSecurityGroupIds"), [sg.id]);
            assert.equal(r.outputs.dbSecurityGroupId, sg.id);
            // No inline rules (the provider then removes AWS's default egress); exactly one ingress rule:
            // the backend's security group on the engine's port. No CIDR, no egress.
            assert.equal(input(sg, "ingress"), undefined);
            assert.equal(input(sg, "egress"), undefined);
            const rules = ofType(r, INGRESS).filter((x) => x.inputs.securityGroupId === sg.id);
            assert.deepEqual(
                rules.map((x) => [x.inputs.referencedSecurityGroupId, x.inputs.fromPort, x.inputs.toPort, x.inputs.ipProtocol, x.inputs.cidrIpv4]),
                [[r.outputs.backendSecurityGroupId, shape.port, shape.port, "tcp", undefined]],
            );
            assert.equal(ofType(r, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter((x) => x.inputs.securityGroupId === sg.id).length, 0);
            assert.equal(ofType(r, "aws:ec2/securityGroupRule:SecurityGroupRule").length, 0);
            assert.equal(input(db, "port"), shape.port);
            assert.equal(r.outputs.dbPort, shape.port);
        });

        it("encrypts storage, the secret and Performance Insights with its rotating customer-managed key", () => {
            assert.equal(input(key, "enableKeyRotation"), true);
            assert.equal(input(key, "deletionWindowInDays"), 30);
            assert.equal(input(one(r, "aws:kms/alias:Alias"), "targetKeyId"), key.state.keyId);
            assert.equal(input(one(r, "aws:kms/alias:Alias"), "name"), `alias/ecomm-${shape.stack}-database`);
            assert.equal(input(db, "storageEncrypted"), true);
            assert.equal(input(db, "kmsKeyId"), key.state.arn);
            assert.equal(input(db, "masterUserSecretKmsKeyId"), key.state.arn);
            const piHolders = shape.mode === "aurora" ? ofType(r, CLUSTER_INSTANCE) : [db];
            for (const h of piHolders) {
                assert.equal(input(h, "performanceInsightsEnabled"), shape.performanceInsights, h.name);
                assert.equal(input(h, "performanceInsightsKmsKeyId"), shape.performanceInsights ? key.state.arn : undefined);
                assert.equal(input(h, "performanceInsightsRetentionPeriod"), shape.performanceInsights ? 7 : undefined);
            }
        });

        it("lets RDS manage the master password in Secrets Manager and exports only the secret's ARN", () => {
            assert.equal(input(db, "manageMasterUserPassword"), true);
            const secrets = db.state.masterUserSecrets as { secretArn: string }[];
            assert.equal(r.outputs.dbSecretArn, secrets[0].secretArn);
            assert.match(String(r.outputs.dbSecretArn), /^arn:aws:secretsmanager:us-east-1:\d{12}:secret:rds!/);
        });

        it("keeps backups in windows that don't overlap, and protects prod from deletion", () => {
            assert.equal(input(db, "backupRetentionPeriod"), shape.retention);
            assert.equal(input(db, instanceMode ? "backupWindow" : "preferredBackupWindow"), "03:00-04:00");
            assert.equal(input(db, instanceMode ? "maintenanceWindow" : "preferredMaintenanceWindow"), "sun:05:00-sun:06:00");
            assert.equal(input(db, "copyTagsToSnapshot"), true);
            assert.equal(input(db, "iamDatabaseAuthenticationEnabled"), true);
            assert.equal(input(db, "autoMinorVersionUpgrade"), true);
            assert.equal(input(db, "deletionProtection"), prod);
            assert.equal(input(db, "skipFinalSnapshot"), !prod);
            const suffix = ofType(r, "random:index/randomId:RandomId");
            assert.equal(suffix.length, prod ? 1 : 0);
            assert.equal(input(db, "finalSnapshotIdentifier"), prod ? `ecomm-prod-database-final-${String(suffix[0].state.hex)}` : undefined);
            assert.equal(input(db, "applyImmediately"), !prod);
            assert.equal(input(db, "allowMajorVersionUpgrade"), false);
            const stateful = [db, key, ...ofType(r, CLUSTER_INSTANCE)];
            for (const s of stateful) assert.equal(s.protect, prod, `${s.name}.protect`);
            for (const s of r.resources.filter((x) => !stateful.includes(x))) assert.equal(s.protect, false, `${s.name} should not be protected`);
        });

        it("uses a TLS-only parameter group of the version's family", () => {
            const group = one(r, instanceMode ? PARAMS : CLUSTER_PARAMS);
            assert.equal(input(group, "family"), shape.family);
            assert.ok(input<{ name: string; value: string }[]>(group, "parameters").some((p) => p.name === shape.tls.name && p.value === shape.tls.value));
            assert.equal(input(db, instanceMode ? "parameterGroupName" : "dbClusterParameterGroupName"), group.state.name);
        });

        it("exports the engine's logs to CloudWatch", () => {
            const pg = shape.engine.includes("postgres");
            const expected = pg ? (instanceMode ? ["postgresql", "upgrade"] : ["postgresql"]) : ["error", "slowquery"];
            assert.deepEqual(input(db, "enabledCloudwatchLogsExports"), expected);
        });

        it(`${prod ? "turns on" : "leaves off"} Enhanced Monitoring with its own role`, () => {
            const monitored = shape.mode === "aurora" ? ofType(r, CLUSTER_INSTANCE) : [db];
            const roles = ofType(r, ROLE).filter((x) => x.name === "database-monitoring-role");
            if (!prod) {
                assert.equal(roles.length, 0);
                for (const m of monitored) assert.equal(input(m, "monitoringInterval"), 0);
                return;
            }
            const role = roles[0];
            const trust = jsonInput<{ Statement: { Principal: { Service: string } }[] }>(role, "assumeRolePolicy");
            assert.deepEqual(trust.Statement.map((s) => s.Principal.Service), ["monitoring.rds.amazonaws.com"]);
            const attachment = one(r, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "database-monitoring-policy");
            assert.equal(input(attachment, "policyArn"), "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole");
            assert.equal(input(attachment, "role"), role.state.name);
            for (const m of monitored) {
                assert.equal(input(m, "monitoringInterval"), 30);
                assert.equal(input(m, "monitoringRoleArn"), role.state.arn);
            }
        });

        it("exports endpoints and names for the app and for monitoring", () => {
            assert.equal(r.outputs.dbName, "shop");
            assert.equal(input(db, instanceMode ? "dbName" : "databaseName"), "shop");
            assert.equal(r.outputs.dbEndpoint, instanceMode ? db.state.address : db.state.endpoint);
            assert.ok(!String(r.outputs.dbEndpoint).includes("undefined"));
            if (instanceMode) {
                assert.equal("dbReaderEndpoint" in r.outputs, false);
                assert.equal("dbClusterIdentifier" in r.outputs, false);
                assert.deepEqual(r.outputs.dbInstanceIdentifiers, [db.id]);
            } else {
                assert.equal(r.outputs.dbReaderEndpoint, db.state.readerEndpoint);
                assert.match(String(r.outputs.dbReaderEndpoint), /\.cluster-ro-/);
                assert.equal(r.outputs.dbClusterIdentifier, db.id);
            }
        });

        it("parents every database resource under the component with a database- prefix", () => {
            const children = r.resources.filter((x) => x.parentUrn.includes("ecomm:database:DatabaseComponent"));
            assert.ok(children.length >= 6);
            for (const c of children) assert.ok(c.name.startsWith("database-"), c.name);
            assert.ok(ofType(r, INSTANCE).concat(ofType(r, CLUSTER), ofType(r, CLUSTER_INSTANCE)).every((x) => children.includes(x)));
        });
    });
}

describe("no plaintext database password anywhere", () => {
    const PASSWORD_KEYS = /^(password|masterPassword|passwordWo|masterPasswordWo)$/i;
    function scan(value: unknown, path: string, found: string[]): void {
        if (Array.isArray(value)) value.forEach((v, i) => scan(v, `${path}[${i}]`, found));
        else if (value && typeof value === "object") {
            for (const [k, v] of Object.entries(value)) {
                if (PASSWORD_KEYS.test(k)) found.push(`${path}.${k}`);
                scan(v, `${path}.${k}`, found);
            }
        }
    }

    it("has no password input or output in any recorded resource or stack output, in every shape", () => {
        assert.equal(runs.length, SHAPES.length, "every shape ran");
        for (const r of runs) {
            const found: string[] = [];
            for (const res of r.resources) {
                scan(res.inputs, `${res.name}.inputs`, found);
                scan(res.state, `${res.name}.state`, found);
            }
            scan(r.outputs, "outputs", found);
            assert.deepEqual(found, [], `${r.stack}: password fields found`);
            const dbs = r.resources.filter((x) => x.type === INSTANCE || x.type === CLUSTER);
            assert.equal(dbs.length, 1);
            assert.equal(dbs[0].inputs.manageMasterUserPassword, true);
            assert.ok(!r.config["ecomm:database"]?.toLowerCase().includes("password"), "no password in config");
        }
    });
});

describe("DatabaseComponent backup replication to another region", () => {
    it("replicates automated backups with a key and provider of the DR region", async () => {
        const r = await run("prod", patched("prod", "ecomm:database", { backupReplicationRegion: "us-west-2" }));
        const provider = one(r, "pulumi:providers:aws", "aws-backup-replica");
        assert.equal(input(provider, "region"), "us-west-2");
        const replication = one(r, REPLICATION, "database-backup-replication");
        const drKey = one(r, KEY, "database-dr-key");
        const db = one(r, INSTANCE);
        assert.equal(input(replication, "sourceDbInstanceArn"), db.state.arn);
        assert.equal(input(replication, "kmsKeyId"), drKey.state.arn);
        assert.equal(input(replication, "retentionPeriod"), 14);
        assert.equal(input(drKey, "enableKeyRotation"), true);
        for (const res of [replication, drKey]) assert.ok(res.provider.startsWith(provider.urn), `${res.name} uses the us-west-2 provider`);
        assert.ok(!db.provider.startsWith(provider.urn), "the database itself stays in the home region");
        assert.equal(drKey.protect, true);
    });

    it("creates no replication without the key", async () => {
        const r = await run("prod");
        assert.equal(ofType(r, REPLICATION).length, 0);
        assert.equal(ofType(r, "pulumi:providers:aws").length, 1);
    });
});

describe("DatabaseComponent refuses bad database config, naming the key", () => {
    const cases: [string, "dev" | "prod", Record<string, unknown>, string][] = [
        ["single-az in prod", "prod", patched("prod", "ecomm:database", { mode: "single-az" }), "ecomm:database.mode"],
        ["Aurora MySQL 8.4 (Aurora MySQL 3 is 8.0)", "dev", { ...patched("dev", "ecomm:database", { mode: "aurora", engine: "mysql", engineVersion: "8.4.3", instanceClass: "db.t4g.medium" }), ...OWN_APP }, "ecomm:database.engineVersion"],
        ["PostgreSQL 12 on RDS", "dev", patched("dev", "ecomm:database", { engineVersion: "12.22" }), "ecomm:database.engineVersion"],
        ["a Multi-AZ DB cluster on a class without local NVMe", "prod", patched("prod", "ecomm:database", { mode: "multi-az-cluster", allocatedStorageGb: 400 }), "ecomm:database.instanceClass"],
        ["Aurora on db.t4g.micro", "dev", patched("dev", "ecomm:database", { mode: "aurora", engineVersion: "16" }), "ecomm:database.instanceClass"],
        ["a Multi-AZ DB cluster below 400 GiB", "prod", patched("prod", "ecomm:database", { mode: "multi-az-cluster", instanceClass: "db.m6gd.large" }), "ecomm:database.allocatedStorageGb"],
        ["a Multi-AZ DB cluster over two AZs", "dev", patched("dev", "ecomm:database", { mode: "multi-az-cluster", instanceClass: "db.m6gd.large", allocatedStorageGb: 400 }), "ecomm:database.mode"],
        ["more Aurora instances than AZs", "dev", patched("dev", "ecomm:database", { mode: "aurora", engineVersion: "16", instanceClass: "db.t4g.medium", readerCount: 2 }), "ecomm:database.readerCount"],
        ["retention above 35 days", "prod", patched("prod", "ecomm:database", { backupRetentionDays: 36 }), "ecomm:database.backupRetentionDays"],
        ["retention below 7 days in prod", "prod", patched("prod", "ecomm:database", { backupRetentionDays: 3 }), "ecomm:database.backupRetentionDays"],
        ["no backups in aurora", "dev", patched("dev", "ecomm:database", { mode: "aurora", engineVersion: "16", instanceClass: "db.t4g.medium", backupRetentionDays: 0 }), "ecomm:database.backupRetentionDays"],
        ["storage max below allocated", "prod", patched("prod", "ecomm:database", { maxAllocatedStorageGb: 50 }), "ecomm:database.maxAllocatedStorageGb"],
        ["overlapping windows", "prod", patched("prod", "ecomm:database", { maintenanceWindow: "sun:03:30-sun:04:30" }), "ecomm:database.maintenanceWindow"],
        ["overlapping windows past midnight", "dev", patched("dev", "ecomm:database", { backupWindow: "23:30-00:30", maintenanceWindow: "mon:00:00-mon:01:00" }), "ecomm:database.maintenanceWindow"],
        ["a backup window under 30 minutes", "dev", patched("dev", "ecomm:database", { backupWindow: "03:00-03:20" }), "ecomm:database.backupWindow"],
        ["backup replication of a cluster", "prod", patched("prod", "ecomm:database", { mode: "aurora", engineVersion: "16", instanceClass: "db.r7g.large", backupReplicationRegion: "us-west-2" }), "ecomm:database.backupReplicationRegion"],
        ["deletion protection off in prod", "prod", patched("prod", "ecomm:database", { deletionProtection: false }), "ecomm:database.deletionProtection"],
    ];
    for (const [title, stack, config, key] of cases) {
        it(`refuses ${title} (${key})`, async () => {
            const err = await refused(stack, config);
            assert.ok(err.message.includes(key), `expected ${key} in:\n${err.message}`);
        });
    }

    it("refuses a backup replication region equal to the home region", async () => {
        const err = await refused("prod", patched("prod", "ecomm:database", { backupReplicationRegion: "us-east-1" }));
        assert.match(err.message, /ecomm:database\.backupReplicationRegion = "us-east-1": must be another region/);
    });
});
